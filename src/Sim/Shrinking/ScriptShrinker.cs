using AofSim.Faults;
using AofSim.Sim.Checking;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Shrinking;

// Shrinking a failing run to a minimal (commands, faults) case.
//
// A failing seed is first made explicit: its steps are recorded, everything after the event that
// found the violation is cut (nothing later can matter), the policy and crash model it drew
// become fixed, and the faults drawn for it become an explicit plan. Then, as long as the same
// property still fails, the shrinker removes what it can: chunks of steps (delta debugging, halving
// the chunk when nothing goes), plan faults, the simulator's random fault kinds, single commands
// and MULTI blocks inside a client step, and it makes waits shorter. The seeded short writes are
// first keyed to the writes they hit (ScriptStep.WriteFaults), what each power loss kept is
// written into the step it struck (ScriptStep.Survived), and a swarm's knobs go back to
// their defaults where the failure does not need them. Every candidate is one
// deterministic run, so the result is the same on every machine; a budget bounds the runs.

/// <summary>A run made explicit: what <c>aofsim replay FILE</c> runs.</summary>
/// <param name="Seed">The seed (it still decides what the steps leave to chance).</param>
/// <param name="Options">The options, with the policy, crash model and fault plan explicit.</param>
/// <param name="Script">The steps.</param>
public sealed record ShrinkCase(ulong Seed, SimOptions Options, IReadOnlyList<ScriptStep> Script)
{
    /// <summary>Client and admin commands.</summary>
    public int Commands => Script.Sum(s => s.Commands);

    /// <summary>
    /// Faults: power losses and kills in the steps, the steps' write faults (a short write and the
    /// ENOSPC after it are one fault: the disk filling up), plan faults, and the random fault kinds on.
    /// </summary>
    public int Faults => Script.Sum(s => s.Faults + (s.SlowFsyncs?.Count ?? 0)) + WriteFaults + (Options.Plan?.Faults.Count ?? 0) + (Options.Faults.SlowFsync ? 1 : 0) + (Options.Faults.ShortWrite ? 1 : 0);

    // Short writes, and ENOSPCs beyond their number.
    private int WriteFaults
    {
        get
        {
            List<WriteFault> all = [.. Script.SelectMany(s => s.WriteFaults ?? [])];
            return Math.Max(all.Count(w => w.Bytes is not null), all.Count(w => w.Bytes is null));
        }
    }

    /// <summary>Runs it.</summary>
    public SeedResult Run(bool keepTrace = false) => Simulation.Run(Seed, Options, Script, keepTrace);

    /// <summary>As a saved scenario.</summary>
    public Scenario ToScenario() => Scenario.Of(Seed, Options, Script);

    /// <summary>"N steps, C commands, F faults".</summary>
    public string Size => $"{Script.Count} steps, {Commands} commands, {Faults} faults";
}

/// <summary>What a shrink found.</summary>
/// <param name="Property">The property the case violates.</param>
/// <param name="Original">The failing run, made explicit.</param>
/// <param name="Minimal">The smallest case found that still violates it.</param>
/// <param name="Runs">Runs spent.</param>
public sealed record ShrinkResult(Property Property, ShrinkCase Original, ShrinkCase Minimal, int Runs);

/// <summary>Shrinks failing runs (see the file's header).</summary>
public static class ScriptShrinker
{
    /// <summary>Runs a shrink may spend by default.</summary>
    public const int DefaultBudget = 3000;

    /// <summary>
    /// Shrinks the failure of <paramref name="property"/> in seed <paramref name="seed"/> run with
    /// <paramref name="options"/>; null when that run does not violate it.
    /// </summary>
    public static ShrinkResult? ShrinkSeed(ulong seed, SimOptions options, Property property, int budget = DefaultBudget)
    {
        SeedResult run = Simulation.Run(seed, options, null, record: true);
        Violation? v = run.Violations.FirstOrDefault(x => x.Property == property);
        if (v is null || run.Script is null)
        {
            return null;
        }

        // A swarm run's choices made explicit first: its kinds, its knobs (the families are in the
        // script's commands now, and the scheduler's weights no longer draw anything).
        SimOptions drawn = Swarm.Apply(seed, options) with { Families = FamilySet.All, Scheduler = SchedulerWeights.Default };
        var sim = new FaultSet(drawn.Faults.On.Where(k => FaultSet.SimKinds.Contains(k)));
        SimOptions explicitOptions = drawn with
        {
            Policy = run.Policy.AsOption(),
            Fs = run.Fs.AsOption(),
            Faults = sim,
            Plan = run.Plan.Count == 0 ? null : new FaultPlan(run.Plan),
        };
        var original = new ShrinkCase(seed, explicitOptions, [.. run.Script.Take(v.Event + 1)]);

        // The seeded short writes (a 1% chance at each write, drawn in order from one stream) move
        // to another write, or vanish, as soon as a step before them goes: a case that needs one
        // could then lose almost no step. The recording keyed each to the write it hit, in its
        // step (ScriptStep.WriteFaults): with the kind off and those explicit, the run is the same,
        // and the shrinker can drop steps around them, and them one by one. What each power loss
        // kept moves the same way (the crash stream's draws, a torn write's sector boundary), and
        // the recording made it explicit too (ScriptStep.Survived). The most explicit form that
        // still fails the same way is the start: when one does not (a short write outside any
        // step), the kind stays, or the crash draws again. The seeded slow fsyncs are keyed the
        // same way, to the fsync they delayed in their step (ScriptStep.SlowFsyncs).
        ShrinkCase noShortWrites = original with { Options = explicitOptions with { Faults = new FaultSet(explicitOptions.Faults.On.Where(k => k != FaultKind.ShortWrite.Name())) } };
        ShrinkCase noSeededKinds = original with { Options = explicitOptions with { Faults = new FaultSet(explicitOptions.Faults.On.Where(k => k != FaultKind.ShortWrite.Name() && k != FaultKind.SlowFsync.Name())) } };
        List<ShrinkCase> forms = [];
        if (explicitOptions.Faults.SlowFsync)
        {
            forms.Add(Explicit(noSeededKinds, writes: true, crashes: true, slow: true));
        }

        if (explicitOptions.Faults.ShortWrite)
        {
            forms.Add(Explicit(noShortWrites, writes: true, crashes: true));
            forms.Add(Explicit(noShortWrites, writes: true, crashes: false));
        }

        forms.Add(Explicit(original, writes: false, crashes: true));
        ShrinkCase start = Explicit(original, writes: false, crashes: false);
        foreach (ShrinkCase form in forms)
        {
            if (form.Run().Violations.Any(x => x.Property == property))
            {
                start = form;
                break;
            }
        }

        return Shrink(start, property, budget);
    }

    // The recorded case with its write faults, its crashes' outcomes, both or neither explicit.
    private static ShrinkCase Explicit(ShrinkCase c, bool writes, bool crashes, bool slow = false) =>
        c with { Script = [.. c.Script.Select(x => x with { WriteFaults = writes ? x.WriteFaults : null, Survived = crashes ? x.Survived : null, SlowFsyncs = slow ? x.SlowFsyncs : null })] };

    /// <summary>Shrinks <paramref name="start"/>, which must violate <paramref name="property"/>; null when it does not.</summary>
    public static ShrinkResult? Shrink(ShrinkCase start, Property property, int budget = DefaultBudget)
    {
        var s = new State(property, budget);
        if (!s.Fails(start))
        {
            return null;
        }

        ShrinkCase best = start;
        bool progress = true;
        while (progress && s.Runs < budget)
        {
            progress = false;
            foreach (Func<ShrinkCase, State, ShrinkCase> pass in Passes)
            {
                ShrinkCase next = pass(best, s);
                if (!ReferenceEquals(next, best))
                {
                    best = next;
                    progress = true;
                }
            }
        }

        return new ShrinkResult(property, start, best, s.Runs);
    }

    private static readonly Func<ShrinkCase, State, ShrinkCase>[] Passes = [DropSimKinds, DropPlanFaults, DropWriteFaults, DropSlowFsyncs, DropSurvivors, ResetKnobs, ShrinkTriggers, DropSteps, MergeWaits, ShrinkSteps];

    // A step's explicit write faults, one at a time.
    private static ShrinkCase DropWriteFaults(ShrinkCase c, State s) =>
        DropEach(c, s, step => step.WriteFaults, (step, rest) => step with { WriteFaults = rest });

    // A step's explicit slow fsyncs, one at a time (the fsync then takes what the seed draws for
    // a normal one).
    private static ShrinkCase DropSlowFsyncs(ShrinkCase c, State s) =>
        DropEach(c, s, step => step.SlowFsyncs, (step, rest) => step with { SlowFsyncs = rest });

    // Removes the items of a step's explicit list one at a time while the case still fails.
    private static ShrinkCase DropEach<T>(ShrinkCase c, State s, Func<ScriptStep, IReadOnlyList<T>?> get, Func<ScriptStep, IReadOnlyList<T>?, ScriptStep> set)
    {
        List<ScriptStep> steps = [.. c.Script];
        bool changed = false;
        for (int i = 0; i < steps.Count && s.Runs < s.Budget; i++)
        {
            for (int k = 0; get(steps[i]) is { } items && k < items.Count && s.Runs < s.Budget;)
            {
                List<T> rest = [.. items.Where((_, j) => j != k)];
                List<ScriptStep> candidate = [.. steps];
                candidate[i] = set(steps[i], rest.Count == 0 ? null : rest);
                if (s.Fails(c with { Script = candidate }))
                {
                    steps = candidate;
                    changed = true;
                }
                else
                {
                    k++;
                }
            }
        }

        return changed ? c with { Script = steps } : c;
    }

    // What an explicit power loss kept of a file, one file at a time: the file then keeps nothing
    // that was pending, the simplest crash.
    private static ShrinkCase DropSurvivors(ShrinkCase c, State s)
    {
        List<ScriptStep> steps = [.. c.Script];
        bool changed = false;
        for (int i = 0; i < steps.Count && s.Runs < s.Budget; i++)
        {
            for (int k = 0; steps[i].Survived is { } crashes && k < crashes.Count && s.Runs < s.Budget; k++)
            {
                foreach (string file in crashes[k].Keys.Order(StringComparer.Ordinal).ToList())
                {
                    if (s.Runs >= s.Budget || steps[i].Survived![k] is var kept && (!kept.TryGetValue(file, out string? fates) || fates.Split(' ').All(f => f == "-")))
                    {
                        continue;
                    }

                    List<IReadOnlyDictionary<string, string>> candidateCrashes = [.. steps[i].Survived!];
                    candidateCrashes[k] = kept.Where(kv => kv.Key != file).ToDictionary(StringComparer.Ordinal);
                    List<ScriptStep> candidate = [.. steps];
                    candidate[i] = steps[i] with { Survived = candidateCrashes };
                    if (s.Fails(c with { Script = candidate }))
                    {
                        steps = candidate;
                        changed = true;
                    }
                }
            }
        }

        return changed ? c with { Script = steps } : c;
    }

    // A swarm's knobs back to the defaults, all at once or one at a time: what remains is what the
    // failure needs.
    private static ShrinkCase ResetKnobs(ShrinkCase c, State s)
    {
        EngineKnobs k = c.Options.Knobs;
        EngineKnobs d = EngineKnobs.Default;
        if (k == d)
        {
            return c;
        }

        EngineKnobs[] candidates =
        [
            d,
            k with { Hz = d.Hz },
            k with { AutoRewritePercentage = d.AutoRewritePercentage, AutoRewriteMinSize = d.AutoRewriteMinSize },
            k with { RewriteBufferBlockSize = d.RewriteBufferBlockSize },
            k with { FsyncMaxMs = d.FsyncMaxMs },
            k with { SlowFsyncChance = d.SlowFsyncChance, SlowFsyncMaxMs = d.SlowFsyncMaxMs },
            k with { CloseMs = d.CloseMs },
        ];
        foreach (EngineKnobs candidate in candidates)
        {
            if (candidate != k && s.Fails(c with { Options = c.Options with { Knobs = candidate } }))
            {
                return ResetKnobs(c with { Options = c.Options with { Knobs = candidate } }, s);
            }
        }

        return c;
    }

    // A plan fault that fires earlier (a smaller nth, fewer calls in a row, no start time) lets
    // the steps before it go.
    private static ShrinkCase ShrinkTriggers(ShrinkCase c, State s)
    {
        if (c.Options.Plan is not { } plan)
        {
            return c;
        }

        List<Fault> faults = [.. plan.Faults];
        bool changed = false;
        for (int i = 0; i < faults.Count && s.Runs < s.Budget; i++)
        {
            foreach (Trigger t in SmallerTriggers(faults[i].Trigger))
            {
                List<Fault> candidate = [.. faults];
                candidate[i] = faults[i] with { Trigger = t };
                if (s.Fails(c with { Options = c.Options with { Plan = new FaultPlan(candidate) } }))
                {
                    faults = candidate;
                    changed = true;
                    i--;
                    break;
                }
            }
        }

        return changed ? c with { Options = c.Options with { Plan = new FaultPlan(faults) } } : c;
    }

    private static IEnumerable<Trigger> SmallerTriggers(Trigger t)
    {
        if (t.Nth > 1)
        {
            yield return t with { Nth = 1 };
            yield return t with { Nth = t.Nth / 2 };
            yield return t with { Nth = t.Nth - 1 };
        }

        if (t.Count > 1)
        {
            yield return t with { Count = 1 };
        }

        if (t.AtMs is > 0)
        {
            yield return t with { AtMs = null };
        }
    }

    // Two waits in a row become one.
    private static ShrinkCase MergeWaits(ShrinkCase c, State s)
    {
        List<ScriptStep> steps = [.. c.Script];
        bool changed = false;
        for (int i = 0; i + 1 < steps.Count && s.Runs < s.Budget;)
        {
            // The second wait's write faults and crashes are counted from its own start: not merged away.
            if (steps[i] is AdvanceStep a && steps[i + 1] is AdvanceStep { WriteFaults: null, Survived: null, SlowFsyncs: null } b)
            {
                List<ScriptStep> candidate = [.. steps.Take(i), a with { Ms = a.Ms + b.Ms }, .. steps.Skip(i + 2)];
                if (s.Fails(c with { Script = candidate }))
                {
                    steps = candidate;
                    changed = true;
                    continue;
                }
            }

            i++;
        }

        return changed ? c with { Script = steps } : c;
    }

    // The random fault kinds a scripted run still draws from (and the kinds that no longer
    // matter once the steps are explicit).
    private static ShrinkCase DropSimKinds(ShrinkCase c, State s)
    {
        foreach (string kind in c.Options.Faults.On)
        {
            var candidate = c with { Options = c.Options with { Faults = new FaultSet(c.Options.Faults.On.Where(k => k != kind)) } };
            if (s.Fails(candidate))
            {
                return DropSimKinds(candidate, s);
            }
        }

        return c;
    }

    private static ShrinkCase DropPlanFaults(ShrinkCase c, State s)
    {
        IReadOnlyList<Fault> faults = c.Options.Plan?.Faults ?? [];
        for (int i = 0; i < faults.Count; i++)
        {
            var rest = faults.Where((_, j) => j != i).ToList();
            var candidate = c with { Options = c.Options with { Plan = rest.Count == 0 ? null : new FaultPlan(rest) } };
            if (s.Fails(candidate))
            {
                return DropPlanFaults(candidate, s);
            }
        }

        return c;
    }

    // Delta debugging over the steps: remove chunks, halving the chunk size when none can go.
    private static ShrinkCase DropSteps(ShrinkCase c, State s)
    {
        List<ScriptStep> steps = [.. c.Script];
        for (int chunk = Math.Max(1, steps.Count / 2); chunk >= 1 && s.Runs < s.Budget; chunk /= 2)
        {
            for (int i = 0; i < steps.Count && s.Runs < s.Budget;)
            {
                List<ScriptStep> candidate = [.. steps.Take(i), .. steps.Skip(i + chunk)];
                if (s.Fails(c with { Script = candidate }))
                {
                    steps = candidate;
                }
                else
                {
                    i += chunk;
                }
            }
        }

        return steps.Count == c.Script.Count ? c : c with { Script = steps };
    }

    // Each step made smaller in place: fewer commands, shorter waits, fewer child syscalls.
    private static ShrinkCase ShrinkSteps(ShrinkCase c, State s)
    {
        List<ScriptStep> steps = [.. c.Script];
        bool changed = false;
        for (int i = 0; i < steps.Count && s.Runs < s.Budget; i++)
        {
            foreach (ScriptStep smaller in Smaller(steps[i]))
            {
                List<ScriptStep> candidate = [.. steps];
                candidate[i] = smaller;
                if (s.Fails(c with { Script = candidate }))
                {
                    steps = candidate;
                    changed = true;
                    break;
                }
            }
        }

        return changed ? c with { Script = steps } : c;
    }

    /// <summary>Smaller versions of one step, most aggressive first.</summary>
    public static IEnumerable<ScriptStep> Smaller(ScriptStep step)
    {
        switch (step)
        {
            case ClientStep c:
                List<List<string[]>> units = Units(c.Argv);
                if (units.Count > 1)
                {
                    for (int u = 0; u < units.Count; u++)
                    {
                        yield return c with { Argv = [.. units.Where((_, j) => j != u).SelectMany(x => x)] };
                    }
                }

                // A MULTI block: one of its commands less, or its commands without the block.
                if (c.Argv.Count > 3 && c.Argv[0][0] == "MULTI" && c.Argv[^1][0] == "EXEC")
                {
                    for (int k = 1; k < c.Argv.Count - 1; k++)
                    {
                        yield return c with { Argv = [.. c.Argv.Where((_, j) => j != k)] };
                    }
                }

                if (c.Argv.Count >= 3 && c.Argv[0][0] == "MULTI" && c.Argv[^1][0] == "EXEC")
                {
                    yield return c with { Argv = [.. c.Argv.Skip(1).Take(c.Argv.Count - 2)] };
                }

                if (c.Db != 0)
                {
                    yield return c with { Db = 0 };
                }

                break;
            case AdvanceStep a when a.Ms > 1:
                yield return a with { Ms = a.Ms / 2 };
                yield return a with { Ms = a.Ms - (a.Ms / 8) - 1 };
                break;
            case ChildStep ch when ch.Syscalls > 1:
                yield return ch with { Syscalls = ch.Syscalls / 2 };
                yield return ch with { Syscalls = ch.Syscalls - 1 };
                break;
            case PowerLossStep p when p.QuietMs > 0 || p.DownMs > 0:
                if (p.DownMs > 0)
                {
                    yield return p with { DownMs = 0 };
                }

                if (p.QuietMs > 0)
                {
                    yield return p with { QuietMs = 0 };
                    yield return p with { QuietMs = p.QuietMs / 2 };
                }

                break;
        }
    }

    // A client step's removable units: a MULTI … EXEC block is one unit, any other command one.
    private static List<List<string[]>> Units(IReadOnlyList<string[]> argv)
    {
        var units = new List<List<string[]>>();
        for (int i = 0; i < argv.Count; i++)
        {
            if (argv[i][0] == "MULTI")
            {
                int end = i;
                while (end < argv.Count - 1 && argv[end][0] != "EXEC")
                {
                    end++;
                }

                units.Add([.. argv.Skip(i).Take(end - i + 1)]);
                i = end;
            }
            else
            {
                units.Add([argv[i]]);
            }
        }

        return units;
    }

    private sealed class State(Property property, int budget)
    {
        public int Runs { get; private set; }

        public int Budget => budget;

        public bool Fails(ShrinkCase c)
        {
            if (Runs >= budget)
            {
                return false;
            }

            Runs++;
            return c.Run().Violations.Any(v => v.Property == property);
        }
    }
}
