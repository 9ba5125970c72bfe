using System.Text.Json;
using System.Text.Json.Nodes;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Campaigns;

/// <summary>A campaign's options as a record spells them.</summary>
public sealed class RecordOptions
{
    /// <summary>The profile spec, e.g. <c>redis26+FsyncEverysecTail</c>.</summary>
    public string Profile { get; set; } = string.Empty;

    /// <summary>always, everysec, no or mixed.</summary>
    public string Policy { get; set; } = string.Empty;

    /// <summary>posix, ext4 or mixed.</summary>
    public string Fs { get; set; } = string.Empty;

    /// <summary>none, all or a comma list of kinds.</summary>
    public string Faults { get; set; } = string.Empty;

    /// <summary>Events per seed.</summary>
    public int Ops { get; set; }

    /// <summary>The fault plan given with <c>--plan</c>, or null.</summary>
    public JsonNode? Plan { get; set; }

    /// <summary>Exhaustive mode's crash point, or null.</summary>
    public long? PowerLossAfter { get; set; }

    /// <summary>Exhaustive mode's crash state.</summary>
    public int CrashVariant { get; set; }

    /// <summary>Swarm testing on (a record without the field is from a uniform-mix build: false).</summary>
    public bool Swarm { get; set; }

    /// <summary>The record of <paramref name="o"/>.</summary>
    public static RecordOptions Of(SimOptions o) => new()
    {
        Profile = o.Profile.Name,
        Policy = o.Policy.Name(),
        Fs = o.Fs.Name(),
        Faults = o.Faults.ToString(),
        Ops = o.Ops,
        Plan = o.Plan is null ? null : JsonNode.Parse(o.Plan.ToJson()),
        PowerLossAfter = o.PowerLossAfterCall,
        CrashVariant = o.CrashVariant,
        Swarm = o.Swarm,
    };

    /// <summary>The options these name, or null with <paramref name="error"/> saying which name is unknown.</summary>
    public SimOptions? ToOptions(out string error)
    {
        error = string.Empty;
        if (!Engine.Profiles.Profile.TryGet(Profile, out Engine.Profiles.Profile profile))
        {
            error = $"unknown profile '{Profile}'";
        }
        else if (OptionNames.ParsePolicy(Policy) is not PolicyOption policy)
        {
            error = $"unknown policy '{Policy}'";
        }
        else if (OptionNames.ParseCrashModel(Fs) is not CrashModelOption fs)
        {
            error = $"unknown crash model '{Fs}'";
        }
        else if (FaultSet.Parse(Faults) is not FaultSet faults)
        {
            error = $"unknown faults '{Faults}'";
        }
        else
        {
            try
            {
                return new SimOptions
                {
                    Profile = profile,
                    Policy = policy,
                    Fs = fs,
                    Faults = faults,
                    Ops = Ops,
                    Plan = Plan is null ? null : AofSim.Faults.FaultPlan.FromJson(Plan.ToJsonString()),
                    PowerLossAfterCall = PowerLossAfter,
                    CrashVariant = CrashVariant,
                    Swarm = Swarm,
                };
            }
            catch (JsonException e)
            {
                error = $"the fault plan does not read: {e.Message.Split('\n')[0]}";
            }
        }

        return null;
    }

    /// <summary>The options as one comparable string.</summary>
    public string Key() => JsonSerializer.Serialize(this, SeedRecord.Json);
}
