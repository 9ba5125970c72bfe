using AofSim.Faults;
using AofSim.Sim.Shrinking;
using AofSim.Sim.Simulating;
using FsCheck;
using FsCheck.Fluent;

namespace AofSim.Properties;

/// <summary>
/// One generated simulator run: a seed (for what the steps leave to chance), the fsync policy and
/// crash model, the random fault kinds on, a fault plan, and the steps (client commands of every
/// family, waits, rewrite-child steps, rewrites, appendonly toggles, killed children, power losses).
/// </summary>
/// <param name="Seed">The seed.</param>
/// <param name="Policy">Always, Everysec or No.</param>
/// <param name="Fs">Posix or Ext4.</param>
/// <param name="SimKinds">Random fault kinds on (slowfsync, shortwrite).</param>
/// <param name="Plan">Faults as data.</param>
/// <param name="Steps">The steps.</param>
public sealed record SimCase(ulong Seed, PolicyOption Policy, CrashModelOption Fs, string[] SimKinds, Fault[] Plan, ScriptStep[] Steps)
{
    /// <summary>The case as the shrinker and <c>aofsim replay FILE</c> take it, under <paramref name="profile"/>.</summary>
    public ShrinkCase ToShrinkCase(Engine.Profiles.Profile profile) => new(
        Seed,
        new SimOptions { Profile = profile, Policy = Policy, Fs = Fs, Faults = new FaultSet(SimKinds), Plan = Plan.Length == 0 ? null : new FaultPlan(Plan) },
        Steps);

    /// <inheritdoc/>
    public override string ToString() =>
        $"seed {Seed}, {Policy.Name()}, {Fs.Name()}, faults [{string.Join(", ", SimKinds)}] plan [{string.Join("; ", Plan.Select(f => $"{f.Kind} {f.Trigger.Describe()}: {f.Action}"))}], {Steps.Length} steps:\n  "
        + string.Join("\n  ", Steps.Select(Show));

    private static string Show(ScriptStep s) => s switch
    {
        ClientStep c => $"client db={c.Db} " + string.Join(" ; ", c.Argv.Select(a => string.Join(' ', a.Select(x => x.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal))))),
        AdvanceStep a => $"advance {a.Ms} ms",
        ChildStep c => $"child {c.Syscalls} syscalls",
        AdminStep a => "admin " + string.Join(' ', a.Argv),
        KillChildStep => "kill the rewrite child",
        PowerLossStep p => (p.QuietMs > 0 ? $"quiet {p.QuietMs} ms, then power loss" : "power loss") + $", down {p.DownMs} ms",
        _ => s.ToString(),
    };
}

/// <summary>The simulator's generators: steps, fault plans, options and whole runs.</summary>
public static partial class Generators
{
    /// <summary>A client step: one command or a MULTI block from the simulator's workload, in db 0 mostly.</summary>
    public static Gen<ScriptStep> ClientStepGen { get; } =
        from db in Gen.Frequency((7, Gen.Constant(0)), (3, Gen.Choose(0, 3)))
        from seed in Gen.Choose(0, int.MaxValue)
        select (ScriptStep)new ClientStep(db, new Workload(new SimRandom((ulong)seed)).NextBatch());

    /// <summary>Any step, weighted as the simulator's scheduler weighs its events.</summary>
    public static Gen<ScriptStep> SimStep { get; } = Gen.Frequency(
        (50, ClientStepGen),
        (18, Gen.Choose(1, 150).Select(ms => (ScriptStep)new AdvanceStep(ms))),
        (4, Gen.Choose(500, 4000).Select(ms => (ScriptStep)new AdvanceStep(ms))),
        (1, Gen.Choose(5000, 16000).Select(ms => (ScriptStep)new AdvanceStep(ms))),
        (11, Gen.Choose(1, 24).Select(n => (ScriptStep)new ChildStep(n))),
        (4, Gen.Constant((ScriptStep)new AdminStep(["BGREWRITEAOF"]))),
        (1, Gen.Elements("yes", "no").Select(v => (ScriptStep)new AdminStep(["CONFIG", "SET", "appendonly", v]))),
        (1, Gen.Constant((ScriptStep)new AdminStep(["BGSAVE"]))),
        (1, Gen.Constant((ScriptStep)new KillChildStep())),
        (2, Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(1000, 12000))).SelectMany(q => Gen.Choose(0, 2000).Select(d => (ScriptStep)new PowerLossStep(q, d)))));

    /// <summary>One fault of the campaign's plan kinds (a pair for ftruncate), drawn as the campaign draws it.</summary>
    public static Gen<Fault[]> PlanFault { get; } =
        from kind in Gen.Elements(FaultMix.Kinds)
        from seed in Gen.Choose(0, int.MaxValue)
        select FaultMix.One(new SimRandom((ulong)seed), kind).ToArray();

    /// <summary>A fault plan: none mostly, one or two faults otherwise.</summary>
    public static Gen<Fault[]> FaultPlanGen { get; } = Gen.Frequency(
        (3, Gen.Constant(Array.Empty<Fault>())),
        (2, PlanFault),
        (1, PlanFault.SelectMany(a => PlanFault.Select(b => (Fault[])[.. a, .. b]))));

    /// <summary>Either profile, and the two with one switch turned off or on.</summary>
    public static Arbitrary<Engine.Profiles.Profile> Profiles { get; } = Arb.From(
        Gen.Elements("redis26", "fixed", "fixed-FsyncBeforeRenameAndDir", "redis26+FsyncEverysecTail")
            .Select(n => Engine.Profiles.Profile.TryGet(n, out Engine.Profiles.Profile p) ? p : Engine.Profiles.Profile.Fixed));

    /// <summary>The random fault kinds a run may draw from.</summary>
    public static Gen<string[]> SimKindsGen { get; } = Gen.Elements<string[]>([], [], ["slowfsync"], ["shortwrite"], ["slowfsync", "shortwrite"]);

    /// <summary>Runs of 5 to 120 steps with the policy and crash model given, or drawn when null.</summary>
    public static Arbitrary<SimCase> SimCases(PolicyOption? policy = null, CrashModelOption? fs = null) => Arb.From(
        from seed in Gen.Choose(1, int.MaxValue)
        from p in policy is null ? Gen.Elements(PolicyOption.Always, PolicyOption.Everysec, PolicyOption.No) : Gen.Constant(policy.Value)
        from f in fs is null ? Gen.Elements(CrashModelOption.Posix, CrashModelOption.Ext4) : Gen.Constant(fs.Value)
        from kinds in SimKindsGen
        from plan in FaultPlanGen
        from n in Gen.Choose(5, 120)
        from steps in Gen.ArrayOf(SimStep, n)
        select new SimCase((ulong)seed, p, f, kinds, plan, steps),
        ShrinkSimCase);

    /// <summary>
    /// Smaller runs: without a random fault kind, without a plan fault, then fewer steps (halves,
    /// one step less), then each step made smaller as the campaign's shrinker does.
    /// </summary>
    public static IEnumerable<SimCase> ShrinkSimCase(SimCase c)
    {
        foreach (string[] kinds in ShrinkArray(c.SimKinds).Take(c.SimKinds.Length))
        {
            yield return c with { SimKinds = kinds };
        }

        for (int i = 0; i < c.Plan.Length; i++)
        {
            yield return c with { Plan = [.. c.Plan[..i], .. c.Plan[(i + 1)..]] };
        }

        foreach (ScriptStep[] steps in ShrinkArray(c.Steps, ScriptShrinker.Smaller))
        {
            yield return c with { Steps = steps };
        }
    }
}
