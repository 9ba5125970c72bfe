using System.Text.Json;
using AofSim.Engine.Profiles;
using AofSim.Faults;

namespace AofSim.Sim.Simulating;

/// <summary>
/// A saved run: the seed, the options and an optional fault plan, as JSON. `aofsim run --out`
/// writes one per failing seed; `aofsim replay FILE` runs it again, byte for byte.
/// </summary>
/// <param name="Seed">The seed.</param>
/// <param name="Profile">The profile spec (redis26, fixed, with +/- switches).</param>
/// <param name="Policy">always|everysec|no|mixed.</param>
/// <param name="Fs">posix|ext4|mixed.</param>
/// <param name="Faults">Fault kinds (none|crash|all|LIST).</param>
/// <param name="Ops">Events.</param>
/// <param name="Plan">Faults as data, applied to every storage call of the run, or null.</param>
/// <param name="Script">The run's steps (a shrunk case), or null for the steps the seed draws.</param>
/// <param name="Swarm">Swarm testing: the seed draws its subset of faults and families and its knobs (false when absent: files written before it).</param>
/// <param name="Families">The command families on (all when absent), as a swarm chose them.</param>
/// <param name="Knobs">The engine's knobs (the defaults when absent), as a swarm chose them.</param>
public sealed record Scenario(ulong Seed, string Profile, string Policy, string Fs, string Faults, int Ops, FaultPlan? Plan = null, IReadOnlyList<ScriptStep>? Script = null, bool Swarm = false, string? Families = null, EngineKnobs? Knobs = null)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The scenario of <paramref name="seed"/> run with <paramref name="options"/>.</summary>
    public static Scenario Of(ulong seed, SimOptions options, IReadOnlyList<ScriptStep>? script = null) =>
        new(
            seed,
            options.Profile.Name,
            options.Policy.Name(),
            options.Fs.Name(),
            options.Faults.ToString(),
            options.Ops,
            options.Plan,
            script,
            options.Swarm,
            options.Families == FamilySet.All ? null : options.Families.ToString(),
            options.Knobs == EngineKnobs.Default ? null : options.Knobs);

    /// <summary>The options this scenario runs with; null (and an error) when a field is invalid.</summary>
    public SimOptions? ToOptions(out string? error)
    {
        error = null;
        if (!Engine.Profiles.Profile.TryGet(Profile, out Profile profile))
        {
            error = $"unknown profile '{Profile}'";
            return null;
        }

        FaultSet? faults = FaultSet.Parse(Faults);
        PolicyOption? policy = OptionNames.ParsePolicy(Policy);
        CrashModelOption? fs = OptionNames.ParseCrashModel(Fs);
        if (faults is null || policy is null || fs is null || Ops < 1)
        {
            error = "bad policy, fs, faults or ops";
            return null;
        }

        FamilySet? families = Families is null ? FamilySet.All : FamilySet.Parse(Families);
        if (families is null)
        {
            error = $"families must be all, none or a comma list of {string.Join(',', Workload.Families)}";
            return null;
        }

        if (Knobs?.Invalid() is string bad)
        {
            error = $"knobs: {bad}";
            return null;
        }

        foreach (IReadOnlyDictionary<string, string> crash in Script?.SelectMany(s => s?.Survived ?? []) ?? [])
        {
            foreach (string fates in crash?.Values ?? [])
            {
                if (SurvivedFate.Parse(fates ?? "?", out string? fateError) is null)
                {
                    error = $"script: {fateError}";
                    return null;
                }
            }
        }

        return new SimOptions
        {
            Profile = profile,
            Policy = policy.Value,
            Fs = fs.Value,
            Faults = faults,
            Ops = Ops,
            Plan = Plan,
            Swarm = Swarm,
            Families = families,
            Knobs = Knobs ?? EngineKnobs.Default,
        };
    }

    /// <summary>As JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>From JSON; throws <see cref="JsonException"/> on bad input.</summary>
    public static Scenario FromJson(string json) =>
        JsonSerializer.Deserialize<Scenario>(json, Json) ?? throw new JsonException("empty scenario");
}
