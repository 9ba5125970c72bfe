namespace AofSim.Sim.Simulating;

/// <summary>How a fault kind reaches a run.</summary>
public enum FaultInjection
{
    /// <summary>The simulator itself injects it (an option of the run: power losses, slow fsyncs, kills, random short writes).</summary>
    SimulatorOption,

    /// <summary>Drawn per seed as entries of a fault plan (<see cref="FaultMix"/>), applied by the fault injector to every storage call.</summary>
    PlanEntries,
}

/// <summary>
/// The fault catalog: one row per <see cref="FaultKind"/>, its name on the command line and how
/// it is injected. To add a kind: a member of <see cref="FaultKind"/>, a row here, and its
/// injection (a case in <see cref="FaultMix.One"/> for plan entries, or the option it sets).
/// </summary>
public static class FaultCatalog
{
    /// <summary>Every kind, in <see cref="FaultKind"/> order.</summary>
    public static IReadOnlyList<(FaultKind Kind, string Name, FaultInjection Injection)> Rows { get; } =
    [
        (FaultKind.Crash, "crash", FaultInjection.SimulatorOption),
        (FaultKind.SlowFsync, "slowfsync", FaultInjection.SimulatorOption),
        (FaultKind.Kill, "kill", FaultInjection.SimulatorOption),
        (FaultKind.ShortWrite, "shortwrite", FaultInjection.SimulatorOption),
        (FaultKind.WriteErr, "writeerr", FaultInjection.PlanEntries),
        (FaultKind.DiskFull, "diskfull", FaultInjection.PlanEntries),
        (FaultKind.Ftruncate, "ftruncate", FaultInjection.PlanEntries),
        (FaultKind.FsyncErr, "fsyncerr", FaultInjection.PlanEntries),
        (FaultKind.FsyncDelay, "fsyncdelay", FaultInjection.PlanEntries),
        (FaultKind.Open, "open", FaultInjection.PlanEntries),
        (FaultKind.Rename, "rename", FaultInjection.PlanEntries),
        (FaultKind.Unlink, "unlink", FaultInjection.PlanEntries),
        (FaultKind.TempFile, "tempfile", FaultInjection.PlanEntries),
        (FaultKind.WriteCap, "writecap", FaultInjection.PlanEntries),
        (FaultKind.KillStep, "killstep", FaultInjection.PlanEntries),
        (FaultKind.KillServer, "killserver", FaultInjection.PlanEntries),
        (FaultKind.PowerStep, "powerstep", FaultInjection.PlanEntries),
    ];

    /// <summary>The names of the kinds injected as <paramref name="injection"/>, in catalog order.</summary>
    public static string[] Names(FaultInjection injection) => [.. Rows.Where(r => r.Injection == injection).Select(r => r.Name)];

    /// <summary>The name of <paramref name="kind"/>.</summary>
    public static string Name(this FaultKind kind) => Rows[(int)kind].Name;

    /// <summary>The kind named <paramref name="name"/>, or null.</summary>
    public static FaultKind? Parse(string name)
    {
        foreach ((FaultKind kind, string n, _) in Rows)
        {
            if (n == name)
            {
                return kind;
            }
        }

        return null;
    }
}
