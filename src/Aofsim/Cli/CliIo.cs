using System.CommandLine;
using System.IO.Abstractions;
using AofSim.Engine.Profiles;

namespace AofSim.Sim.Cli;

/// <summary>Where a verb writes.</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Err">Standard error.</param>
public sealed record CliIo(TextWriter Out, TextWriter Err);

/// <summary>Bad usage that parsing could not see (a missing file, an unknown profile): exit 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Options and checks shared by the verbs.</summary>
internal static class Common
{
    public static Option<string> ProfileOption() => new("--profile")
    {
        Description = "Behaviour profile: redis26 (the seed, bugs included) or fixed (every known fix), optionally with +Switch/-Switch (see docs/profiles.md)",
        DefaultValueFactory = _ => "fixed",
    };

    public static Profile ResolveProfile(string name) =>
        Profile.TryGet(name, out Profile p) ? p : throw new UsageException(
            $"unknown profile '{name}' (expected redis26 or fixed, optionally with +Switch or -Switch from: {string.Join(", ", Profile.SwitchNames)})");

    /// <summary>The full path of an existing file or directory, or a usage error.</summary>
    public static string ExistingPath(IFileSystem fs, string path)
    {
        string full = fs.Path.GetFullPath(path);
        if (!fs.File.Exists(full) && !fs.Directory.Exists(full))
        {
            throw new UsageException($"no such file: {path}");
        }

        return full;
    }
}
