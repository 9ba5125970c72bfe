using System.Text.RegularExpressions;

namespace AofSim.Blackbox.Targets;

/// <summary>
/// A target as the command line names it (and a saved case records it): its name and the options
/// its adapter takes. <see cref="Build"/> makes the adapter, or says in one line what is wrong.
/// </summary>
/// <param name="Name">redis, garnet, aofsim, or cmd (with <paramref name="TargetCmd"/>).</param>
/// <param name="Profile">aofsim's engine profile.</param>
/// <param name="Preamble">Redis's aof-use-rdb-preamble.</param>
/// <param name="TargetCmd">The command template of a cmd target.</param>
/// <param name="Ready">The ready pattern of a cmd target.</param>
/// <param name="Garnet">garnet: an explicit garnet-server (a GarnetServer.dll or a program) instead of the tool manifest's.</param>
/// <param name="SkipSets">garnet: leave sets out of the comparison (its AOF replays SPOP at random).</param>
public sealed record TargetSpec(string Name, string Profile = "fixed", bool Preamble = false, string? TargetCmd = null, string? Ready = null, string? Garnet = null, bool SkipSets = false)
{
    /// <summary>The names --target takes.</summary>
    public static readonly string[] Names = ["redis", "garnet", "aofsim", "cmd"];

    /// <summary>The adapter, or an <see cref="ArgumentException"/> with a one-line reason.</summary>
    public BlackboxTarget Build(Func<string, string?> findOnPath)
    {
        switch (Name)
        {
            case "redis":
                string server = findOnPath("redis-server") ?? throw new ArgumentException("redis-server is not on PATH (apt-get install redis-server)");
                return new RedisTarget(server, findOnPath("redis-check-aof"), Preamble);
            case "aofsim":
                if (!Engine.Profiles.Profile.TryGet(Profile, out _))
                {
                    throw new ArgumentException($"unknown profile '{Profile}' (expected redis26 or fixed)");
                }

                return new AofsimTarget(AofsimTarget.ThisAofsim(), Profile);
            case "garnet":
                (GarnetTarget? garnet, string? why) = GarnetTarget.Locate(Garnet, [Environment.CurrentDirectory, AppContext.BaseDirectory], GarnetTarget.PackagesRoot(), SkipSets);
                return garnet ?? throw new ArgumentException(why);
            case "cmd":
                if (TargetCmd is null || Ready is null)
                {
                    throw new ArgumentException("a command target needs --target-cmd 'CMD {port} {dir}' and --ready REGEX");
                }

                Regex ready;
                try
                {
                    ready = new Regex(Ready, RegexOptions.None, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"--ready is not a regular expression: {e.Message}");
                }

                return new CommandTarget(TargetCmd, ready);
            default:
                throw new ArgumentException($"unknown target '{Name}' (expected {string.Join(", ", Names)}, or --target-cmd with --ready)");
        }
    }

    /// <summary>The full path of an executable <paramref name="name"/> in a PATH directory, or null.</summary>
    public static string? FindOnPath(string name)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        foreach (string dir in (path ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate) && !OperatingSystem.IsWindows() && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }

        return null;
    }
}
