using System.Diagnostics;
using System.Text.RegularExpressions;
using AofSim.Engine.Server;

namespace AofSim.Blackbox.Targets;

/// <summary>
/// Redis 7 (<c>redis-server</c>): appendonly yes with the asked appendfsync, no RDB snapshots
/// (<c>save ""</c>), <c>aof-use-rdb-preamble</c> as asked, its multi-part AOF directory
/// (<c>appendonlydir/</c>: a manifest, a base file, incr files), aof-load-truncated yes (the
/// default), automatic rewrites off so the AOF under test is the one the workload wrote.
/// </summary>
public sealed partial class RedisTarget : BlackboxTarget
{
    private const string Dir = "appendonlydir";
    private const string Manifest = "appendonly.aof.manifest";

    /// <summary>A Redis target running <paramref name="server"/> with the RDB preamble on or off.</summary>
    public RedisTarget(string server, string? checkAof, bool preamble)
    {
        Server = server;
        CheckAof = checkAof;
        Preamble = preamble;
    }

    /// <summary>The redis-server binary.</summary>
    public string Server { get; }

    /// <summary>The redis-check-aof binary (null: no repair is tried).</summary>
    public string? CheckAof { get; }

    /// <summary>aof-use-rdb-preamble.</summary>
    public bool Preamble { get; }

    /// <inheritdoc/>
    public override string Name => "redis";

    /// <inheritdoc/>
    public override string Describe => $"redis ({Server}, aof-use-rdb-preamble {(Preamble ? "yes" : "no")})";

    /// <inheritdoc/>
    public override Regex Ready => ReadyLine();

    /// <inheritdoc/>
    public override TargetLaunch Launch(string dir, int port, AppendFsync policy) => new(Server,
    [
        "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", dir,
        "--appendonly", "yes", "--appendfsync", policy.ToString().ToLowerInvariant(), "--aof-use-rdb-preamble", Preamble ? "yes" : "no",
        "--save", string.Empty, "--auto-aof-rewrite-percentage", "0", "--aof-load-truncated", "yes", "--daemonize", "no",
        "--protected-mode", "no", "--logfile", string.Empty, "--databases", "16",
    ]);

    /// <inheritdoc/>
    public override bool LoadedTruncated(IReadOnlyList<string> log) => log.Any(l => l.Contains("loaded anyway because aof-load-truncated is enabled", StringComparison.Ordinal));

    /// <inheritdoc/>
    public override RepairResult? Repair(string dir, IReadOnlyList<string> log)
    {
        string manifest = Path.Combine(dir, Dir, Manifest);
        if (CheckAof is null || !File.Exists(manifest) || !log.Any(l => l.Contains("redis-check-aof --fix", StringComparison.Ordinal)))
        {
            return null;
        }

        long before = AofBytes(dir);
        var psi = new ProcessStartInfo(CheckAof) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--fix");
        psi.ArgumentList.Add(manifest);
        using var p = Process.Start(psi) ?? throw new IOException($"could not start {CheckAof}");
        // It asks "Continue? [y/N]:" before cutting.
        p.StandardInput.WriteLine("y");
        p.StandardInput.Close();
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string[] lines = [.. (output + err.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(6)];
        return new RepairResult($"{CheckAof} --fix {manifest}", p.ExitCode, before - AofBytes(dir), lines);
    }

    /// <inheritdoc/>
    public override (byte[]? Aof, string? Why) SingleAof(string dir)
    {
        string manifest = Path.Combine(dir, Dir, Manifest);
        if (!File.Exists(manifest))
        {
            return (null, "no manifest");
        }

        // "file appendonly.aof.1.base.aof seq 1 type b": the base, then the incr files in order.
        var files = new List<(string Name, char Type)>();
        foreach (string line in File.ReadAllLines(manifest))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int name = Array.IndexOf(f, "file"), type = Array.IndexOf(f, "type");
            if (name < 0 || type < 0 || name + 1 >= f.Length || type + 1 >= f.Length || f[name + 1].Contains('/', StringComparison.Ordinal))
            {
                return (null, $"a manifest line the adapter does not read: {line}");
            }

            if (f[type + 1] != "h")
            {
                files.Add((f[name + 1], f[type + 1][0]));
            }
        }

        var all = new MemoryStream();
        foreach ((string name, char type) in files.OrderBy(x => x.Type == 'b' ? 0 : 1))
        {
            string path = Path.Combine(dir, Dir, name);
            if (!File.Exists(path))
            {
                return (null, $"{name} is in the manifest but missing");
            }

            byte[] bytes = File.ReadAllBytes(path);
            if (type == 'b' && bytes.AsSpan().StartsWith("REDIS"u8))
            {
                return (null, "the base is an RDB (aof-use-rdb-preamble yes): the engine loads no RDB");
            }

            all.Write(bytes);
        }

        return (all.ToArray(), null);
    }

    private static long AofBytes(string dir)
    {
        string d = Path.Combine(dir, Dir);
        return System.IO.Directory.Exists(d) ? new DirectoryInfo(d).GetFiles().Sum(f => f.Length) : 0;
    }

    [GeneratedRegex("Ready to accept connections")]
    private static partial Regex ReadyLine();
}
