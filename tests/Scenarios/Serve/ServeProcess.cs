using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using AofSim.Scenarios.Cli;
using AofSim.Scenarios.Interop;

namespace AofSim.Scenarios.Serve;

/// <summary>
/// <c>aofsim serve</c> as a real process on 127.0.0.1, on a port it picks itself (read back from
/// its "Ready to accept connections" line, within a deadline). Dispose kills it.
/// </summary>
internal sealed partial class ServeProcess : IDisposable
{
    private readonly Process process;
    private readonly List<string> output = [];

    private ServeProcess(Process process) => this.process = process;

    public int Port { get; private set; }

    public string Output
    {
        get
        {
            lock (output)
            {
                return string.Join('\n', output);
            }
        }
    }

    public bool HasExited => process.HasExited;

    /// <summary>The server's process id (its descriptors are under /proc/&lt;pid&gt;/fd).</summary>
    public int Pid => process.Id;

    public int ExitCode => process.ExitCode;

    public static ServeProcess Start(string dir, params string[] args) => Start(null, dir, args);

    /// <summary>
    /// Starts the server with at most <paramref name="maxOpenFiles"/> descriptors (ulimit -n,
    /// set by a shell that then execs the server, so the pid is the server's).
    /// </summary>
    public static ServeProcess StartWithFdLimit(int maxOpenFiles, string dir, params string[] args) => Start(maxOpenFiles, dir, args);

    private static ServeProcess Start(int? maxOpenFiles, string dir, string[] args)
    {
        ProcessStartInfo psi = AofsimProcess.StartInfo(new[] { "serve", "--port", "0", "--dir", dir }.Concat(args));
        if (maxOpenFiles is int limit)
        {
            // The same command under a shell that lowers the descriptor limit first.
            psi.ArgumentList.Insert(0, "dotnet");
            psi.ArgumentList.Insert(0, "serve");
            psi.ArgumentList.Insert(0, $"ulimit -n {limit.ToString(CultureInfo.InvariantCulture)} && exec \"$@\"");
            psi.ArgumentList.Insert(0, "-c");
            psi.FileName = "bash";
        }

        var p = new ServeProcess(Process.Start(psi)!);
        p.process.OutputDataReceived += (_, e) => p.Add(e.Data);
        p.process.ErrorDataReceived += (_, e) => p.Add(e.Data);
        p.process.BeginOutputReadLine();
        p.process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Match m = ReadyLine().Match(p.Output);
            if (m.Success)
            {
                p.Port = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                return p;
            }

            if (p.process.WaitForExit(50))
            {
                break;
            }
        }

        string why = p.Output;
        p.Dispose();
        throw new InvalidOperationException($"aofsim serve did not become ready: {why}");
    }

    public RespClient Connect() => RespClient.Connect(Port, TimeSpan.FromSeconds(10));

    /// <summary>SIGKILL, as kill -9: no flush, no fsync, nothing.</summary>
    public void Kill9()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit(30_000);
    }

    public bool WaitForExit(TimeSpan timeout) => process.WaitForExit(timeout);

    public void Dispose()
    {
        Kill9();
        process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.Add(line);
            }
        }
    }

    [GeneratedRegex(@"Ready to accept connections on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ReadyLine();
}
