using System.CommandLine;
using System.Globalization;
using System.IO.Abstractions;
using System.Numerics;
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

    /// <summary>
    /// Makes a value of <paramref name="option"/> outside <paramref name="min"/>..<paramref name="max"/>
    /// a parse error: one line on stderr and exit 2, before the verb runs (a count of 0 jobs or a
    /// negative size is never taken for a default).
    /// </summary>
    public static Option<T> Within<T>(this Option<T> option, T min, T max)
        where T : struct, INumber<T>, IMinMaxValue<T>
    {
        option.Validators.Add(r =>
        {
            if (TryValue(r, out T? value) && value is T v && (v < min || v > max))
            {
                r.AddError(Range(option.Name, min, max, v));
            }
        });
        return option;
    }

    /// <summary><see cref="Within{T}(Option{T}, T, T)"/> for an option that may be absent.</summary>
    public static Option<T?> Within<T>(this Option<T?> option, T min, T max)
        where T : struct, INumber<T>, IMinMaxValue<T>
    {
        option.Validators.Add(r =>
        {
            if (TryValue(r, out T? value) && value is T v && (v < min || v > max))
            {
                r.AddError(Range(option.Name, min, max, v));
            }
        });
        return option;
    }

    // A value that does not parse as T at all is the parser's own error, reported as such.
    private static bool TryValue<T>(System.CommandLine.Parsing.OptionResult r, out T? value)
        where T : struct
    {
        try
        {
            value = r.GetValueOrDefault<T?>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = null;
            return false;
        }
    }

    private static string Range<T>(string name, T min, T max, T value)
        where T : struct, INumber<T>, IMinMaxValue<T> =>
        max == T.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"{name} must be at least {min}, not {value}")
            : string.Create(CultureInfo.InvariantCulture, $"{name} must be {min}..{max}, not {value}");

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
