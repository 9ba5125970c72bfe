using AofSim.Scenarios.Interop;

namespace AofSim.Scenarios.Cli;

/// <summary>Finds Debian's chromium on PATH, once.</summary>
internal static class ChromiumBinary
{
    /// <summary>The reason shown when a browser test is skipped.</summary>
    public const string SkipReason = "chromium not on PATH (apt-get install chromium): the replay page is not rendered in a browser";

    private static readonly Lazy<string?> Found = new(() => RedisBinaries.Find("chromium") ?? RedisBinaries.Find("chromium-browser"));

    /// <summary>The full path of chromium, or null.</summary>
    public static string? Path => Found.Value;
}

/// <summary>A fact that needs headless Chromium: skipped, visibly, when it is not on PATH.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when chromium is missing.</summary>
    public ChromiumFactAttribute()
    {
        if (ChromiumBinary.Path is null)
        {
            Skip = ChromiumBinary.SkipReason;
        }
    }
}
