using System.Globalization;

namespace AofSim.Sim.Reporting;

/// <summary>
/// The live progress line <c>run</c> rewrites (with <c>\r</c>) on a terminal: a bar, seeds done,
/// seeds/s and violations so far. A pure function of the counts and the elapsed time; the elapsed
/// time is the CLI's wall clock, for display only: it never reaches a simulation or a hash.
/// </summary>
public static class ProgressBar
{
    /// <summary>Characters in the bar.</summary>
    public const int Width = 20;

    /// <summary>
    /// The line for <paramref name="done"/> of <paramref name="total"/> seeds after
    /// <paramref name="elapsed"/>, with <paramref name="violations"/> violations so far, padded
    /// with spaces to <paramref name="padTo"/> so that it covers a longer line it overwrites.
    /// </summary>
    public static string Format(long done, long total, long violations, TimeSpan elapsed, int padTo = 0)
    {
        long shown = Math.Clamp(done, 0, Math.Max(total, 0));
        int filled = total <= 0 ? Width : (int)(shown * Width / total);
        double seconds = elapsed.TotalSeconds;
        string rate = seconds > 0 ? (shown / seconds).ToString("F1", CultureInfo.InvariantCulture) : "-";
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string(' ', Width - filled)}] {shown}/{total} seeds  {rate} seeds/s  {violations} violation{(violations == 1 ? string.Empty : "s")}");
        return line.PadRight(padTo);
    }
}
