using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace AofSim.Blackbox.Running;

/// <summary>
/// One run of a target's process: started with its output captured line by line, ready when a
/// line matches the target's pattern, stopped with SIGKILL and reaped.
/// </summary>
/// <remarks>
/// A target outlives nothing of the driver's: besides <see cref="Dispose"/>, every target still
/// running is killed when the driver's process ends (its exit, an unhandled exception, which
/// runs no finally block, or SIGINT/SIGTERM/SIGHUP/SIGQUIT), since a server left behind keeps
/// its port and, on a FUSE disk, the mount busy. Only SIGKILL of the driver itself leaves one.
/// </remarks>
public sealed class TargetProcess : IDisposable
{
    private const int MaxLogLines = 400;

    private static readonly HashSet<TargetProcess> Running = [];
    private static readonly PosixSignalRegistration[] Signals = Register();

    private readonly Process process;
    private readonly Regex ready;
    private readonly List<string> log = [];
    private readonly TaskCompletionSource readySignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private bool disposed;

    private TargetProcess(Process process, Regex ready)
    {
        this.process = process;
        this.ready = ready;
    }

    /// <summary>Milliseconds from start to the ready line (null until then).</summary>
    public double? ReadyAfterMs { get; private set; }

    /// <summary>The process id.</summary>
    public int Pid => process.Id;

    /// <summary>The output lines so far (the last <see cref="MaxLogLines"/>).</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (log)
            {
                return [.. log];
            }
        }
    }

    /// <summary>Whether the process has exited.</summary>
    public bool Exited => process.HasExited;

    /// <summary>Starts <paramref name="launch"/>, waiting for nothing.</summary>
    public static TargetProcess Start(Targets.TargetLaunch launch, Regex ready, string workingDirectory)
    {
        var psi = new ProcessStartInfo(launch.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (string a in launch.Arguments)
        {
            psi.ArgumentList.Add(a);
        }

        var p = new Process { StartInfo = psi };
        var t = new TargetProcess(p, ready);
        p.OutputDataReceived += (_, e) => t.Line(e.Data);
        p.ErrorDataReceived += (_, e) => t.Line(e.Data);
        try
        {
            p.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            p.Dispose();
            throw new IOException($"could not start {launch.FileName}: {e.Message}", e);
        }

        lock (Running)
        {
            GC.KeepAlive(Signals); // registered with the first target
            Running.Add(t);
        }

        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return t;
    }

    /// <summary>The pids of the targets started and not yet disposed, in this process.</summary>
    public static IReadOnlyList<int> RunningPids
    {
        get
        {
            lock (Running)
            {
                return [.. Running.Select(t => t.process.Id)];
            }
        }
    }

    private static PosixSignalRegistration[] Register()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillRunning();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillRunning();
        if (OperatingSystem.IsWindows())
        {
            return [];
        }

        // The handler kills the targets and leaves the signal's own action (the driver ends) to run.
        return [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
            .Select(s => PosixSignalRegistration.Create(s, _ => KillRunning()))];
    }

    // SIGKILL to every target still running; no waiting (the driver is going away).
    private static void KillRunning()
    {
        TargetProcess[] all;
        lock (Running)
        {
            all = [.. Running];
        }

        foreach (TargetProcess t in all)
        {
            try
            {
                t.process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Exited already.
            }
        }
    }

    private void Line(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.Add(line);
            if (log.Count > MaxLogLines)
            {
                log.RemoveAt(0);
            }
        }

        if (ReadyAfterMs is null && ready.IsMatch(line))
        {
            ReadyAfterMs = clock.Elapsed.TotalMilliseconds;
            readySignal.TrySetResult();
        }
    }

    /// <summary>Waits for the ready line: true when it came, false when the process exited first or <paramref name="timeout"/> passed.</summary>
    public bool WaitReady(TimeSpan timeout)
    {
        Task exited = process.WaitForExitAsync();
        int which = Task.WaitAny([readySignal.Task, exited], timeout);
        return which == 0 || readySignal.Task.IsCompleted;
    }

    /// <summary>SIGKILL, then waits until the process is reaped.</summary>
    public void Kill()
    {
        if (disposed)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        process.WaitForExit();
    }

    /// <summary>The exit code, once exited.</summary>
    public int? ExitCode => process.HasExited ? process.ExitCode : null;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        // Killed before it counts as disposed: Kill does nothing on a disposed process (this
        // order was once reversed, and every target a run ended with was left running).
        Kill();
        disposed = true;
        lock (Running)
        {
            Running.Remove(this);
        }

        process.Dispose();
    }
}
