using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AofSim.Scenarios.Interop;

/// <summary>A temporary directory, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "aofsim-interop-") => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp dir left behind is not a test failure.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>
/// A real redis-server on 127.0.0.1 and a free port, in a directory the test gives, logging to
/// its own temp dir (so the data dir holds only what the test put there). <see cref="Start"/>
/// returns once the log says "Ready to accept connections" and PING answers PONG, within a
/// deadline; <see cref="Dispose"/> kills the process and waits (bounded) for it to exit.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    private readonly Process process;
    private readonly TempDir logDir;
    private readonly StringBuilder output = new();

    private RedisServer(Process process, TempDir logDir, int port, string dir)
    {
        this.process = process;
        this.logDir = logDir;
        Port = port;
        Dir = dir;
    }

    public int Port { get; }

    /// <summary>The server's --dir.</summary>
    public string Dir { get; }

    public string LogFile => logDir.File("redis.log");

    /// <summary>The server's log so far (for failure messages and log assertions).</summary>
    public string LogText
    {
        get
        {
            try
            {
                return System.IO.File.Exists(LogFile) ? System.IO.File.ReadAllText(LogFile) : string.Empty;
            }
            catch (IOException)
            {
                return string.Empty;
            }
        }
    }

    /// <summary>
    /// Starts redis-server with --dir <paramref name="dir"/> and <paramref name="args"/> (after
    /// the defaults, so they win), retrying on another port if the one picked was taken.
    /// </summary>
    public static RedisServer Start(string dir, params string[] args)
    {
        string? lastFailure = null;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            RedisServer server = Launch(dir, FreePort(), args);
            try
            {
                if (server.WaitUntilReady(out lastFailure))
                {
                    return server;
                }
            }
            catch
            {
                server.Dispose();
                throw;
            }

            server.Dispose();
            if (!lastFailure.Contains("Address already in use", StringComparison.Ordinal))
            {
                break;
            }
        }

        throw new InvalidOperationException($"redis-server did not start: {lastFailure}");
    }

    public RespClient Connect() => RespClient.Connect(Port, TimeSpan.FromSeconds(10));

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            if (!process.WaitForExit(ExitTimeout))
            {
                throw new InvalidOperationException($"redis-server (pid {process.Id}) did not exit within {ExitTimeout.TotalSeconds} s of SIGKILL");
            }
        }
        catch (InvalidOperationException) when (process.HasExited)
        {
        }
        finally
        {
            process.Dispose();
            logDir.Dispose();
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static RedisServer Launch(string dir, int port, string[] args)
    {
        var logDir = new TempDir("aofsim-redis-log-");
        var psi = new ProcessStartInfo(RedisBinaries.Server ?? "redis-server")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = dir,
        };
        foreach (string a in new[]
        {
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--daemonize", "no",
            "--save", string.Empty, "--dir", dir, "--logfile", logDir.File("redis.log"),
        }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("redis-server did not start");
        }
        catch
        {
            logDir.Dispose();
            throw;
        }

        var server = new RedisServer(process, logDir, port, dir);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    // Polls the log for "Ready to accept connections", then PING, until the deadline; each
    // pause between polls is a wait on the process's exit, so a crash ends it at once.
    private bool WaitUntilReady(out string failure)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                process.WaitForExit(); // drains the redirected output
                failure = $"exited with code {process.ExitCode}; output: {Output()}; log: {LogText}";
                return false;
            }

            if (LogText.Contains("Ready to accept connections", StringComparison.Ordinal) && Pong())
            {
                failure = string.Empty;
                return true;
            }

            process.WaitForExit(TimeSpan.FromMilliseconds(50));
        }

        failure = $"not ready within {StartTimeout.TotalSeconds} s; output: {Output()}; log: {LogText}";
        return false;
    }

    private bool Pong()
    {
        try
        {
            using RespClient c = RespClient.Connect(Port, TimeSpan.FromSeconds(2));
            RespValue r = c.Call("PING");
            return r.Kind == RespKind.Simple && r.Text == "PONG";
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>Runs a command-line tool with a bounded wait.</summary>
internal static class ToolRunner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>, writing <paramref name="stdin"/>; kills it after the timeout.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string file, IEnumerable<string> args, string? stdin = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"{file} did not start");
        try
        {
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            if (stdin is not null)
            {
                p.StandardInput.Write(stdin);
            }

            p.StandardInput.Close();
            if (!p.WaitForExit(Timeout))
            {
                throw new TimeoutException($"{file} {string.Join(' ', args)} did not exit within {Timeout.TotalSeconds} s");
            }

            p.WaitForExit();
            if (!Task.WaitAll([stdout, stderr], Timeout))
            {
                throw new TimeoutException($"{file}: output not drained within {Timeout.TotalSeconds} s");
            }

            return (p.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
    }
}
