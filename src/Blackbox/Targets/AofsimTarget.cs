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
    public override (byte[]? Aof, string? Why) SingleAof(string dir)
    {
        string path = Path.Combine(dir, "appendonly.aof");
        return File.Exists(path) ? (File.ReadAllBytes(path), null) : (null, "no appendonly.aof");
    }

    [GeneratedRegex("Ready to accept connections")]
    private static partial Regex ReadyLine();
}
