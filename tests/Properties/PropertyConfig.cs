using System.Globalization;
using System.Text.RegularExpressions;
using FsCheck;
using Microsoft.FSharp.Core;

namespace AofSim.Properties;

/// <summary>
/// How many cases each property runs, and the one place properties are checked.
/// </summary>
/// <remarks>
/// <para>FsCheck.Xunit's <c>[Property(MaxTest = …)]</c> needs a compile-time constant, so each
/// property is a plain <c>[Fact]</c> that calls <see cref="Check"/>, which runs the property with
/// <c>Config.QuickThrowOnFailure</c> and a case count read from the environment.</para>
/// <para>Environment:</para>
/// <list type="bullet">
/// <item><c>AOFSIM_PROPERTY_TESTS</c>: cases per property (default 100).</item>
/// <item><c>AOFSIM_PROPERTY_REPLAY</c>: <c>seed,gamma</c> replays a whole run from its start seed;
/// <c>seed,gamma,size</c> replays one failing case (the "Last step was invoked with size of … and
/// seed of (…)" line of a failure). A failure message ends with both, ready to paste.</item>
/// </list>
/// </remarks>
public static partial class PropertyConfig
{
    /// <summary>The variable holding the number of cases per property.</summary>
    public const string TestsVariable = "AOFSIM_PROPERTY_TESTS";

    /// <summary>The variable holding a replay seed.</summary>
    public const string ReplayVariable = "AOFSIM_PROPERTY_REPLAY";

    /// <summary>The default number of cases per property.</summary>
    public const int DefaultTests = 100;

    /// <summary>Cases per property, from <see cref="TestsVariable"/>.</summary>
    public static int MaxTest { get; } = ReadMaxTest();

    /// <summary>
    /// The configuration: throw on failure (so the fact fails with the shrunk counterexample in
    /// its message), <paramref name="scale"/> × <see cref="MaxTest"/> cases (at least one), and the
    /// replay seed if one is set.
    /// </summary>
    public static Config Create(double scale = 1.0)
    {
        int tests = Math.Max(1, (int)Math.Round(MaxTest * scale));
        Config config = Config.QuickThrowOnFailure.WithMaxTest(tests).WithQuietOnSuccess(true);
        if (TryReadReplay(out Replay? replay))
        {
            config = config.WithReplay(FSharpOption<Replay>.Some(replay));
            if (replay.Size is not null)
            {
                // One case: the failing one.
                config = config.WithMaxTest(1);
            }
        }

        return config;
    }

    /// <summary>
    /// Checks <paramref name="property"/>; on failure throws with FsCheck's report (original and
    /// shrunk counterexample, exception) followed by how to replay it.
    /// </summary>
    public static void Check(string name, Property property, double scale = 1.0)
    {
        try
        {
            FsCheck.Check.One(name, Create(scale), property);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            // FsCheck's message already holds the counterexample and the exception it threw.
            throw new PropertyFailedException(name, e.Message + ReplayHint(e.Message));
        }
    }

    // "Falsifiable, after 3 tests (2 shrinks) (seed,gamma)." and "… size of 5 and seed of (seed,gamma)".
    private static string ReplayHint(string message)
    {
        var hint = new System.Text.StringBuilder();
        Match run = RunSeed().Match(message);
        if (run.Success)
        {
            hint.Append(CultureInfo.InvariantCulture, $"\nReplay the whole run: {ReplayVariable}=\"{run.Groups[1].Value},{run.Groups[2].Value}\"");
        }

        Match step = StepSeed().Match(message);
        if (step.Success)
        {
            hint.Append(CultureInfo.InvariantCulture, $"\nReplay the failing case only: {ReplayVariable}=\"{step.Groups[2].Value},{step.Groups[3].Value},{step.Groups[1].Value}\"");
        }

        return hint.ToString();
    }

    private static int ReadMaxTest()
    {
        string? text = Environment.GetEnvironmentVariable(TestsVariable);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : DefaultTests;
    }

    private static bool TryReadReplay([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Replay? replay)
    {
        replay = null;
        string? text = Environment.GetEnvironmentVariable(ReplayVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string[] parts = text.Trim().Trim('(', ')').Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 2 or > 3
            || !ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed)
            || !ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong gamma))
        {
            throw new FormatException($"{ReplayVariable} must be \"seed,gamma\" or \"seed,gamma,size\", not \"{text}\"");
        }

        FSharpOption<int> size = FSharpOption<int>.None;
        if (parts.Length == 3)
        {
            size = FSharpOption<int>.Some(int.Parse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture));
        }

        replay = new Replay(new Rnd(seed, gamma), size);
        return true;
    }

    [GeneratedRegex(@"shrinks?\) \((\d+),(\d+)\)")]
    private static partial Regex RunSeed();

    [GeneratedRegex(@"size of (\d+) and seed of \((\d+),(\d+)\)")]
    private static partial Regex StepSeed();
}

/// <summary>A property failed: the message is FsCheck's report plus the replay seeds.</summary>
public sealed class PropertyFailedException : Xunit.Sdk.XunitException
{
    /// <summary>Creates the exception for property <paramref name="name"/>.</summary>
    public PropertyFailedException(string name, string report)
        : base($"Property '{name}' failed:\n{report}")
    {
    }
}
