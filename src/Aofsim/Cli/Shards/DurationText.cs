using System.Globalization;

namespace AofSim.Sim.Cli.Shards;

/// <summary>Durations as <c>--duration</c> takes them: a whole number and a unit, <c>90s</c>, <c>10m</c>, <c>8h</c>.</summary>
internal static class DurationText
{
    /// <summary>The longest budget taken: 30 days (anything longer is a typo, not a soak).</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(30);

    /// <summary>Parses "Ns", "Nm" or "Nh" (N &gt;= 1, at most <see cref="Max"/>), or returns null.</summary>
    public static TimeSpan? Parse(string text)
    {
        if (text.Length < 2 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n < 1)
        {
            return null;
        }

        long seconds = text[^1] switch
        {
            's' => n,
            'm' => n <= Max.TotalMinutes ? n * 60 : long.MaxValue,
            'h' => n <= Max.TotalHours ? n * 3600 : long.MaxValue,
            _ => -1,
        };
        return seconds >= 1 && seconds <= Max.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
    }
}
