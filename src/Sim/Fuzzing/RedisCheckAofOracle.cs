using System.Diagnostics;
using AofSim.Engine.Aof;

namespace AofSim.Sim.Fuzzing;

/// <summary>
/// The real redis-check-aof (7.0) as an oracle for the checker: an input is written to a file,
/// checked by both, and their output lines and exit codes compared, line for line. Where the C
/// tool dies (a huge length makes its zmalloc abort) the two cannot agree and it is counted apart.
/// </summary>
public sealed class RedisCheckAofOracle : IDisposable
{
    private readonly string tool;
    private readonly string dir;
    private readonly string file;

    /// <summary>Uses <paramref name="tool"/> (a path, or a name on PATH).</summary>
    public RedisCheckAofOracle(string tool = "redis-check-aof")
    {
        this.tool = tool;
        dir = Directory.CreateTempSubdirectory("aofsim-fuzz-oracle-").FullName;
        file = Path.Combine(dir, "fuzz.aof");
    }

    /// <summary>How a comparison ended.</summary>
    public enum Verdict
    {
        /// <summary>Same lines, same exit code.</summary>
        Agreed,

        /// <summary>Something differs (see <see cref="LastDifference"/>).</summary>
        Disagreed,

        /// <summary>redis-check-aof crashed or did not finish: no verdict.</summary>
        RedisDied,

        /// <summary>
        /// redis-check-aof printed a byte it never read: a '*' or '$' line cut by the end of the
        /// file leaves strtol at fgets' terminating NUL, and consumeNewline prints the byte after
        /// it, left on the stack by an earlier call. Every other line must still agree.
        /// </summary>
        Unpredictable,
    }

    /// <summary>The first difference of the last disagreement.</summary>
    public string LastDifference { get; private set; } = string.Empty;

    /// <summary>True when <paramref name="tool"/> runs here.</summary>
    public static bool Available(string tool = "redis-check-aof")
    {
        try
        {
            using Process? p = Process.Start(new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (p is null)
            {
                return false;
            }

            p.StandardOutput.ReadToEnd();
            return p.WaitForExit(10_000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Checks <paramref name="input"/> with both and compares.</summary>
    public Verdict Compare(byte[] input)
    {
        File.WriteAllBytes(file, input);
        // Latin-1: the C tool prints raw bytes (a NUL, 0xff) in its error lines, as the checker's
        // strings hold them, one char per byte.
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, StandardOutputEncoding = System.Text.Encoding.Latin1 };
        psi.ArgumentList.Add(file);
        using Process p = Process.Start(psi)!;
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(30_000))
        {
            p.Kill();
            return Verdict.RedisDied;
        }

        _ = stderr.Result;
        if (p.ExitCode is not (0 or 1) || !stdout.Contains("AOF analyzed:", StringComparison.Ordinal) && !stdout.Contains(" is empty", StringComparison.Ordinal))
        {
            return Verdict.RedisDied;
        }

        (IReadOnlyList<string> lines, int exit) = AofChecker.Check(input, file).Report(file);
        string ours = string.Join('\n', lines) + "\n";
        if (exit == p.ExitCode && ours == stdout)
        {
            return Verdict.Agreed;
        }

        if (exit == p.ExitCode && StackGarbageOnly(input, ours, stdout))
        {
            return Verdict.Unpredictable;
        }

        LastDifference = $"exit {exit} vs {p.ExitCode}; aofsim: {ours.ReplaceLineEndings("|")} redis-check-aof: {stdout.ReplaceLineEndings("|")}";
        return Verdict.Disagreed;
    }

    // The outputs differ only in the byte after a NUL in "Expected \r\n, got: 00XX", and the
    // line at the error's offset has no end before the end of the file.
    private static bool StackGarbageOnly(byte[] input, string ours, string theirs)
    {
        string[] a = ours.Split('\n'), b = theirs.Split('\n');
        if (a.Length != b.Length)
        {
            return false;
        }

        const string Marker = ": Expected \\r\\n, got: 00";
        int differing = 0;
        for (int k = 0; k < a.Length; k++)
        {
            if (a[k] == b[k])
            {
                continue;
            }

            int at = a[k].IndexOf(Marker, StringComparison.Ordinal);
            if (++differing > 1 || at != 18 || !b[k].StartsWith(a[k][..(at + Marker.Length)], StringComparison.Ordinal)
                || !long.TryParse(a[k].AsSpan(2, 16).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out long epos)
                || epos >= input.Length || input.AsSpan((int)epos).Contains((byte)'\n'))
            {
                return false;
            }
        }

        return differing == 1;
    }

    /// <inheritdoc/>
    public void Dispose() => Directory.Delete(dir, recursive: true);
}
