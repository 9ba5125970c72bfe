using System.Text.RegularExpressions;
using AofSim.Engine.Server;

namespace AofSim.Blackbox.Targets;

/// <summary>
/// <c>aofsim serve</c>: the reference engine as a real process on a real (or FUSE) directory,
/// under a profile (<c>redis26</c> keeps the seed's bugs, <c>fixed</c> fixes them): the
/// calibration target, whose bugs are known. One AOF file, <c>appendonly.aof</c>, in the directory.
/// </summary>
public sealed partial class AofsimTarget : BlackboxTarget
{
    /// <summary>A target that starts aofsim with <paramref name="command"/> (e.g. <c>dotnet /path/aofsim.dll</c>) under <paramref name="profile"/>.</summary>
    public AofsimTarget(IReadOnlyList<string> command, string profile)
    {
        if (command.Count == 0)
        {
            throw new ArgumentException("no aofsim command", nameof(command));
        }

        Command = command;
        Profile = profile;
    }

    /// <summary>The program and leading arguments that run aofsim.</summary>
    public IReadOnlyList<string> Command { get; }

    /// <summary>The engine profile.</summary>
    public string Profile { get; }

    /// <inheritdoc/>
    public override string Name => "aofsim";

    /// <inheritdoc/>
    public override string Describe => $"aofsim serve --profile {Profile}";

    /// <inheritdoc/>
    public override Regex Ready => ReadyLine();

    /// <summary>The command that runs this very aofsim: its apphost, or dotnet and its dll.</summary>
    public static IReadOnlyList<string> ThisAofsim()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "aofsim.dll");
        return [Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", dll];
    }

    /// <inheritdoc/>
    public override TargetLaunch Launch(string dir, int port, AppendFsync policy) => new(Command[0],
    [
        .. Command.Skip(1), "serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", dir,
        "--appendfsync", policy.ToString().ToLowerInvariant(), "--profile", Profile, "--aof-load-truncated", "yes",
    ]);

    /// <inheritdoc/>
    public override bool LoadedTruncated(IReadOnlyList<string> log) => log.Any(l => l.Contains("loaded anyway because aof-load-truncated is enabled", StringComparison.Ordinal));

    /// <inheritdoc/>
    /// <remarks>The engine's own repair tool, <c>aofsim check --fix</c>, as the simulator's recovery ladder runs it.</remarks>
    public override RepairResult? Repair(string dir, IReadOnlyList<string> log)
    {
        string aof = Path.Combine(dir, "appendonly.aof");
        if (!File.Exists(aof) || !log.Any(l => l.Contains("redis-check-aof --fix", StringComparison.Ordinal)))
        {
            return null;
        }

        long before = new FileInfo(aof).Length;
        var psi = new System.Diagnostics.ProcessStartInfo(Command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in Command.Skip(1).Concat(["check", "--fix", aof]))
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi) ?? throw new IOException($"could not start {Command[0]}");
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string[] lines = [.. (output + err.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(6)];
        return new RepairResult($"aofsim check --fix {aof}", p.ExitCode, before - new FileInfo(aof).Length, lines);
    }

    /// <inheritdoc/>
    public override (byte[]? Aof, string? Why) SingleAof(string dir)
    {
        string path = Path.Combine(dir, "appendonly.aof");
        return File.Exists(path) ? (File.ReadAllBytes(path), null) : (null, "no appendonly.aof");
    }

    [GeneratedRegex("Ready to accept connections")]
    private static partial Regex ReadyLine();
}
