using System.CommandLine;
using System.Globalization;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Cli;

/// <summary>The options run and replay share.</summary>
internal sealed class SimulationOptions
{
    public Option<string> Profile { get; } = Common.ProfileOption();

    public Option<string> Policy { get; } = new("--policy") { Description = "appendfsync: always|everysec|no|mixed (mixed picks one per seed)", DefaultValueFactory = _ => "mixed" };

    public Option<string> Fs { get; } = new("--fs") { Description = "Crash model: posix|ext4|mixed (mixed picks one per seed)", DefaultValueFactory = _ => "mixed" };

    /// <summary>The options, with <paramref name="defaultFaults"/> as what --faults is when not given and <paramref name="defaultSwarm"/> what --swarm is.</summary>
    public SimulationOptions(string defaultFaults = "all", bool defaultSwarm = true)
    {
        Faults = new("--faults") { Description = "none|crash|all|a comma list of fault kinds (docs/faults.md)", DefaultValueFactory = _ => defaultFaults };
        Swarm = new("--swarm")
        {
            Description = $"Swarm testing: each seed turns a random subset of the fault kinds and command families off and draws the engine's knobs (docs/simulator.md); false: the uniform mix (default {(defaultSwarm ? "true" : "false")})",
            DefaultValueFactory = _ => defaultSwarm,
        };
    }

    public Option<string> Faults { get; }

    public Option<int> Ops { get; } = new Option<int>("--ops") { Description = "Events per seed", DefaultValueFactory = _ => 1000 }.Within(1, int.MaxValue);

    public Option<long?> PowerLossAfter { get; } = new Option<long?>("--power-loss-after") { Description = "Lose power right after this syscall (one crash state of an exhaustive search)" }.Within(1L, long.MaxValue);

    public Option<int> CrashVariant { get; } = new Option<int>("--crash-variant") { Description = "Which surviving set of pending writes that power loss keeps (see docs/simulator.md)", DefaultValueFactory = _ => 0 }.Within(0, int.MaxValue);

    public Option<bool> Swarm { get; }

    public Option<string?> Plan { get; } = new("--plan") { Description = "A fault plan (JSON, docs/faults.md) applied to every storage call of each run" };

    public void AddTo(Command cmd)
    {
        cmd.Add(Profile);
        cmd.Add(Policy);
        cmd.Add(Fs);
        cmd.Add(Faults);
        cmd.Add(Ops);
        cmd.Add(Swarm);
        cmd.Add(Plan);
        cmd.Add(PowerLossAfter);
        cmd.Add(CrashVariant);
    }

    public SimOptions Resolve(ParseResult r)
    {
        string policyName = r.GetValue(Policy)!;
        string fsName = r.GetValue(Fs)!;
        PolicyOption policy = OptionNames.ParsePolicy(policyName)
            ?? throw new UsageException($"--policy must be always, everysec, no or mixed, not '{policyName}'");
        CrashModelOption fs = OptionNames.ParseCrashModel(fsName)
            ?? throw new UsageException($"--fs must be posix, ext4 or mixed, not '{fsName}'");

        FaultSet faults = FaultSet.Parse(r.GetValue(Faults)!)
            ?? throw new UsageException($"--faults must be none, crash, all or a comma list of {string.Join(',', FaultSet.Kinds)}");
        int ops = r.GetValue(Ops);
        if (ops < 1)
        {
            throw new UsageException("--ops must be positive");
        }

        AofSim.Faults.FaultPlan? plan = null;
        if (r.GetValue(Plan) is string planFile)
        {
            if (!File.Exists(planFile))
            {
                throw new UsageException($"no such file: {planFile}");
            }

            try
            {
                plan = AofSim.Faults.FaultPlan.FromJson(File.ReadAllText(planFile));
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new UsageException($"{planFile} is not a fault plan: {e.Message.Split('\n')[0]}");
            }
        }

        long? after = r.GetValue(PowerLossAfter);
        if (after is < 1 || r.GetValue(CrashVariant) < 0)
        {
            throw new UsageException("--power-loss-after must be positive and --crash-variant not negative");
        }

        return new SimOptions
        {
            Profile = Common.ResolveProfile(r.GetValue(Profile)!),
            Policy = policy,
            Fs = fs,
            Faults = after is null ? faults : FaultSet.None,
            Ops = ops,
            Swarm = r.GetValue(Swarm),
            Plan = plan,
            PowerLossAfterCall = after,
            CrashVariant = r.GetValue(CrashVariant),
        };
    }

    /// <summary>Parses "N" or "A..B".</summary>
    public static (ulong First, ulong Last) ParseSeeds(string text)
    {
        string[] parts = text.Split("..");
        if (parts.Length is 1 or 2 && parts.All(p => ulong.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            ulong a = ulong.Parse(parts[0], CultureInfo.InvariantCulture);
            ulong b = ulong.Parse(parts[^1], CultureInfo.InvariantCulture);
            if (b >= a)
            {
                return (a, b);
            }
        }

        throw new UsageException($"seeds must be N or A..B with A <= B, not '{text}'");
    }
}
