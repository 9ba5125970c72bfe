using System.Text.RegularExpressions;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Visualizing;

/// <summary>
/// A replay's trace lines sorted into lanes. The lines are the trace's text, unchanged (its hash
/// is the run's identity); who made a storage call is read from its neighbours, as a person
/// reading the trace would: the calls after "child-steps" or "child kill" are the child's, a call
/// right before "bio done" on the same descriptor is the background job's, every other one the
/// parent's. Times and sizes come from the stamps kept beside the lines.
/// </summary>
public static partial class TimelineEvents
{
    /// <summary>The events of a trace, in order; time passing ("advance") is left to the time axis.</summary>
    public static IReadOnlyList<TimelineEvent> From(IReadOnlyList<string> lines, IReadOnlyList<TraceStamp> stamps)
    {
        var events = new List<TimelineEvent>(lines.Count);
        bool inChild = false;
        for (int i = 0; i < lines.Count; i++)
        {
            string text = Body(lines[i]);
            TraceStamp stamp = i < stamps.Count ? stamps[i] : default;
            if (text.StartsWith("sys ", StringComparison.Ordinal))
            {
                TimelineLane lane = inChild ? TimelineLane.Child
                    : ByBackgroundJob(text, i + 1 < lines.Count ? Body(lines[i + 1]) : string.Empty) ? TimelineLane.Background
                    : TimelineLane.Parent;
                events.Add(new TimelineEvent(i, lane, SysKind(text), text, stamp));
                continue;
            }

            inChild = text.StartsWith("child-steps pid=", StringComparison.Ordinal) || text.StartsWith("child kill", StringComparison.Ordinal);
            if (Classify(text) is (TimelineLane lane2, string kind))
            {
                events.Add(new TimelineEvent(i, lane2, kind, text, stamp));
            }
        }

        return events;
    }

    /// <summary>A line without its "e=N t=+MS " prefix and its indentation.</summary>
    public static string Body(string line)
    {
        Match m = Prefix().Match(line);
        return (m.Success ? line[m.Length..] : line).TrimStart(' ');
    }

    // The lane and kind of a line that is not a storage call; null for one the axis shows (advance).
    private static (TimelineLane, string)? Classify(string text)
    {
        string word = text.Split(' ', 2)[0];
        return word switch
        {
            "cmd" => (TimelineLane.Client, "cmd"),
            "ack" => (TimelineLane.Client, "ack"),
            "admin" => (TimelineLane.Client, "admin"),
            "admin-reply" => (TimelineLane.Client, "reply"),
            "advance" => null,
            "log" => (TimelineLane.Log, "log"),
            "bio" => (TimelineLane.Background, "bio-" + Word(text, 1)),
            "child" => (TimelineLane.Child, "child-" + Word(text, 1)),
            "child-steps" => (TimelineLane.Child, "child-steps"),
            "plan" => (TimelineLane.Faults, "plan"),
            "fault" when text.StartsWith("fault power-loss", StringComparison.Ordinal) => (TimelineLane.Power, "power-loss"),
            "fault" when text.StartsWith("fault kill-server", StringComparison.Ordinal) => (TimelineLane.Power, "kill-server"),
            "fault" => (TimelineLane.Faults, "fault"),
            "survived" => (TimelineLane.Power, "survived"),
            "recovery" => (TimelineLane.Power, "recovery"),
            "process-exit" => (TimelineLane.Power, "exit"),
            "run" => (TimelineLane.Power, "start"),
            "end" => (TimelineLane.Power, "end"),
            "check" => (TimelineLane.Checks, text.EndsWith(" ok", StringComparison.Ordinal) ? "check-ok" : "check-fail"),
            "VIOLATION" => (TimelineLane.Checks, "violation"),
            _ => (TimelineLane.Checks, "note"),
        };
    }

    private static string Word(string text, int n) => text.Split(' ') is { } w && w.Length > n ? w[n].ToLowerInvariant() : string.Empty;

    private static string SysKind(string text) => Word(text, 1) switch
    {
        "write" => "write",
        "fsync" or "fdatasync" or "fsyncdir" => "fsync",
        _ => "sys",
    };

    // "sys close 3 =0" right before "bio done CloseFile fd=3": the job's own call.
    private static bool ByBackgroundJob(string sys, string next) =>
        next.StartsWith("bio done ", StringComparison.Ordinal)
        && Word(next, 3) is { Length: > 3 } fd && fd.StartsWith("fd=", StringComparison.Ordinal)
        && Word(sys, 2) == fd[3..];

    [GeneratedRegex(@"^e=\d+ t=\+-?\d+ ")]
    private static partial Regex Prefix();
}
