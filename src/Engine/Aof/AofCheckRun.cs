using System.IO.Abstractions;

namespace AofSim.Engine.Aof;

/// <summary>
/// redis-check-aof's main (Redis 7.0, a classic single-file AOF): check the file, print its
/// report, and under <c>--fix</c> truncate it to the last valid offset. Kept beside the checker
/// rather than in the command line, so that what the tool prints and when it truncates is the
/// engine's, testable on any file system (a file still being appended to, a FIFO).
/// </summary>
public static class AofCheckRun
{
    /// <summary>
    /// Checks <paramref name="fullPath"/> (shown as <paramref name="shownPath"/>) and writes
    /// redis-check-aof's lines to <paramref name="output"/>.
    /// </summary>
    /// <returns>The exit code: 0 valid (or fixed), 1 not valid (or the fix failed).</returns>
    public static int Run(TextWriter output, IFileSystem fs, string fullPath, string shownPath, bool fix)
    {
        CheckResult result;
        bool seekable;
        using (Stream s = fs.File.OpenRead(fullPath))
        {
            // A FIFO has no size: it is read to its end and its bytes are the size reported.
            seekable = s.CanSeek;
            result = AofChecker.Check(s, seekable ? s.Length : -1, shownPath);
        }

        (IReadOnlyList<string> lines, int exit) = result.Report(shownPath);

        // Only a positive diff is invalid (a file that grew while it was read is left alone).
        if (!fix || result.Valid || result.Size == 0)
        {
            foreach (string line in lines)
            {
                output.WriteLine(line);
            }

            return exit;
        }

        foreach (string line in lines.Take(lines.Count - 1))
        {
            output.WriteLine(line);
        }

        output.WriteLine($"This will shrink the AOF {shownPath} from {result.Size} bytes, with {result.Diff} bytes, to {result.OkUpTo} bytes");
        if (!seekable)
        {
            // redis-check-aof's ftruncate fails on a FIFO, and it says so.
            output.WriteLine($"Failed to truncate AOF {shownPath}");
            return 1;
        }

        using (Stream s = fs.File.Open(fullPath, FileMode.Open, FileAccess.Write))
        {
            s.SetLength(result.OkUpTo);
        }

        output.WriteLine($"Successfully truncated AOF {shownPath}");
        return 0;
    }
}
