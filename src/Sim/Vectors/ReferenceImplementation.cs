using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AofSim.Engine.Aof;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Resp;
using AofSim.Engine.Server;
using AofSim.Engine.Text;

namespace AofSim.Sim.Vectors;

/// <summary>
/// The engine behind the vectors: one request (group, profile, input) to its output. The export
/// records these outputs as the vectors' expectations; <c>vectors serve-impl</c> answers the
/// contract with them.
/// </summary>
internal static class ReferenceImplementation
{
    /// <summary>The groups, in the order a port implements them.</summary>
    public static readonly string[] Groups = ["encoding", "feed", "load", "check", "rewrite", "flush", "rewrite-done"];

    /// <summary>The output for <paramref name="input"/> in <paramref name="group"/> under <paramref name="profile"/>.</summary>
    public static JsonObject Run(string group, Profile profile, JsonObject input) => group switch
    {
        "encoding" => Encoding(input),
        "feed" => Feed(profile, input),
        "load" => Load(profile, input),
        "check" => Check(input),
        "rewrite" => Rewrite(profile, input),
        "flush" or "rewrite-done" => LivePath(profile, input),
        _ => throw new VectorInputException($"unknown group '{group}'"),
    };

    // catAppendOnlyGenericCommand.
    private static JsonObject Encoding(JsonObject input)
    {
        var buf = new ByteBuffer();
        RespCommand.Append(buf, CommandArgs.Of(VectorJson.Argv(input["argv"], "argv")));
        return new JsonObject { ["resp"] = VectorJson.Str(buf.Span) };
    }

    // The setup runs first (its propagation sets the feed's selected db); then the bytes the
    // command alone adds.
    private static JsonObject Feed(Profile profile, JsonObject input)
    {
        long now = VectorJson.Long(input["now_ms"], "now_ms", 0);
        var data = new Dataset();
        var processor = new CommandProcessor(data, profile, new SplitMix64(0));
        var sink = new FeedSink(profile);
        processor.Context.Sink = sink;
        var client = new Client();
        var reply = new ReplyWriter(new ByteBuffer());
        foreach (byte[][] argv in VectorJson.Commands(input["setup"], "setup"))
        {
            sink.NowMs = now;
            processor.Execute(client, CommandArgs.Of(argv), reply, now);
        }

        sink.Buffer.Clear();
        var replyBytes = new ByteBuffer();
        sink.NowMs = now;
        processor.Execute(client, CommandArgs.Of(VectorJson.Argv(input["argv"], "argv")), new ReplyWriter(replyBytes), now);
        return new JsonObject
        {
            ["aof"] = VectorJson.Str(sink.Buffer.Span),
            ["selected_db"] = sink.Selected,
            ["reply"] = VectorJson.Str(replyBytes.Span),
        };
    }

    private static JsonObject Load(Profile profile, JsonObject input)
    {
        byte[] aof = VectorJson.Bytes(input["aof"], "aof");
        long now = VectorJson.Long(input["now_ms"], "now_ms", 0);
        var data = new Dataset();
        LoadResult r = AofLoader.Load(aof, data, profile, new LoadOptions { NowMs = now, LoadTruncated = VectorJson.Bool(input["load_truncated"], "load_truncated") });
        return new JsonObject
        {
            ["outcome"] = OutcomeName(r.Outcome),
            ["message"] = r.Message,
            ["valid_up_to"] = r.Outcome == LoadOutcome.Truncated ? r.ValidUpTo : null,
            ["replay_errors"] = r.ReplayErrors,
            ["dataset"] = r.Succeeded ? new JsonArray([.. DatasetDump.Lines(data, now).Select(l => JsonNode.Parse(l))]) : null,
        };
    }

    /// <summary>A load outcome as the vectors name it.</summary>
    public static string OutcomeName(LoadOutcome o) => o switch
    {
        LoadOutcome.Loaded => "loaded",
        LoadOutcome.Empty => "empty",
        LoadOutcome.Truncated => "truncated",
        LoadOutcome.OpenFailed => "open-failed",
        LoadOutcome.BadFormat => "bad-format",
        LoadOutcome.UnexpectedEof => "unexpected-eof",
        LoadOutcome.ReadError => "read-error",
        LoadOutcome.UnknownCommand => "unknown-command",
        LoadOutcome.WrongArity => "wrong-arity",
        _ => "command-failed",
    };

    // redis-check-aof on a file named appendonly.aof, then what --fix leaves.
    private static JsonObject Check(JsonObject input)
    {
        byte[] aof = VectorJson.Bytes(input["aof"], "aof");
        CheckResult r = AofChecker.Check(aof, "appendonly.aof");
        (IReadOnlyList<string> lines, int exit) = r.Report("appendonly.aof");
        return new JsonObject
        {
            ["exit"] = exit,
            ["report"] = new JsonArray([.. lines.Select(l => (JsonNode)JsonValue.Create(l)!)]),
            ["size_after_fix"] = r.Valid || r.Size == 0 ? r.Size : r.OkUpTo,
        };
    }

    private static JsonObject Rewrite(Profile profile, JsonObject input)
    {
        long now = VectorJson.Long(input["now_ms"], "now_ms", 0);
        var data = new Dataset();
        var processor = new CommandProcessor(data, profile, new SplitMix64(0));
        var client = new Client();
        var reply = new ReplyWriter(new ByteBuffer());
        foreach (byte[][] argv in VectorJson.Commands(input["setup"], "setup"))
        {
            processor.Execute(client, CommandArgs.Of(argv), reply, VectorJson.Long(input["setup_now_ms"], "setup_now_ms", now));
        }

        var buf = new ByteBuffer();
        AofRewriter.WriteDataset(new BufferRio(buf), data.Fork(), now, profile);
        return new JsonObject { ["aof"] = VectorJson.Str(buf.Span) };
    }

    // The live path: a ServerCore on scripted ports, driven step by step; each step's effects.
    private static JsonObject LivePath(Profile profile, JsonObject input)
    {
        var trace = new List<string>();
        var storage = new ScriptedStorage(trace);
        if (input["existing_aof"] is JsonNode existing)
        {
            storage.Put("appendonly.aof", VectorJson.Bytes(existing, "existing_aof"));
        }

        var clock = new ScriptedClock(VectorJson.Long(input["start_ms"], "start_ms", 1_700_000_000_000));
        var jobs = new ScriptedJobs(storage, trace);
        var children = new ScriptedChildren(storage);
        var log = new TracingLog(trace);
        AppendFsync policy = VectorJson.Text(input["policy"], "policy") switch
        {
            "always" => AppendFsync.Always,
            "everysec" => AppendFsync.Everysec,
            "no" => AppendFsync.No,
            string p => throw new VectorInputException($"policy: '{p}' is not always, everysec or no"),
        };
        var core = new ServerCore(
            new ServerConfig { AppendOnly = true, AppendFsync = policy, Profile = profile, AutoAofRewritePercentage = 0 },
            new ServerPorts(storage, clock, jobs, children, log, new SplitMix64(1)));
        core.Start();
        var start = new JsonArray([.. trace.Select(l => (JsonNode)JsonValue.Create(l)!)]);
        var conn = new Connection();
        var steps = new JsonArray();
        int i = 0;
        foreach (JsonNode? node in input["steps"] as JsonArray ?? throw new VectorInputException("steps: an array is required"))
        {
            trace.Clear();
            Step(node as JsonObject ?? throw new VectorInputException($"steps[{i}]: an object is required"), i, core, conn, clock, storage, jobs, children, trace);
            steps.Add(new JsonArray([.. trace.Select(l => (JsonNode)JsonValue.Create(l)!)]));
            i++;
        }

        var files = new JsonObject();
        foreach (string name in storage.Names)
        {
            files[name] = VectorJson.Str(storage.Bytes(name));
        }

        return new JsonObject
        {
            ["start"] = start,
            ["steps"] = steps,
            ["state"] = new JsonObject
            {
                ["aof_delayed_fsync"] = core.AofDelayedFsync,
                ["aof_flush_postponed_start"] = core.AofFlushPostponedStart,
                ["aof_current_size"] = core.AofCurrentSize,
                ["aof_fsync_offset"] = core.AofFsyncOffset,
                ["aof_last_write_ok"] = core.AofLastWriteOk,
                ["aof_last_bgrewrite_ok"] = core.AofLastBgrewriteOk,
                ["aof_rewrite_scheduled"] = core.AofRewriteScheduled,
                ["aof_rewrite_in_progress"] = core.AofChildPid != -1,
                ["stopped"] = core.Stopped is { } s ? $"exit {s.ExitCode}: {s.Reason}" : null,
            },
            ["files"] = files,
        };
    }

    private static void Step(JsonObject step, int i, ServerCore core, Connection conn, ScriptedClock clock, ScriptedStorage storage, ScriptedJobs jobs, ScriptedChildren children, List<string> trace)
    {
        string op = VectorJson.Text(step["op"], $"steps[{i}].op");
        switch (op)
        {
            case "command":
                core.Execute(conn, CommandArgs.Of(VectorJson.Argv(step["argv"], $"steps[{i}].argv")));
                break;
            case "before_sleep":
                foreach (ReleasedReply r in core.BeforeSleep())
                {
                    trace.Add(r.Bytes.Length == 0 ? "reply dropped: connection closed" : "reply " + System.Text.Encoding.Latin1.GetString(r.Bytes));
                }

                break;
            case "cron":
                core.Cron();
                break;
            case "advance":
                clock.NowMs += VectorJson.Long(step["ms"], $"steps[{i}].ms", 0);
                break;
            case "plan":
                storage.Plan(VectorJson.Text(step["syscall"], $"steps[{i}].syscall"), VectorJson.Text(step["result"], $"steps[{i}].result"));
                break;
            case "bio":
                jobs.RunAll();
                break;
            case "child":
                string action = VectorJson.Text(step["action"], $"steps[{i}].action");
                bool any = action switch
                {
                    "finish" => children.Finish(),
                    "kill" => children.End(0, 9),
                    "exit" => children.End((int)VectorJson.Long(step["code"], $"steps[{i}].code", 1), 0),
                    _ => throw new VectorInputException($"steps[{i}].action: '{action}' is not finish, kill or exit"),
                };
                trace.Add(any ? $"child {action}" : "child none running");
                break;
            default:
                throw new VectorInputException($"steps[{i}].op: '{op}' is not command, before_sleep, cron, advance, plan, bio or child");
        }
    }

    // feedAppendOnlyFile into a buffer, with the seed's aof_selected_db.
    private sealed class FeedSink(Profile profile) : IPropagationSink
    {
        private int selected = -1;

        public ByteBuffer Buffer { get; } = new();

        public long NowMs { get; set; }

        public int Selected => selected;

        public void Propagate(CommandDef command, int dbId, CommandArgs argv) =>
            AofFeed.Append(Buffer, command.Name, dbId, argv, NowMs, ref selected, profile);
    }

    // The server's log lines, in the trace where they happen.
    private sealed class TracingLog(List<string> trace) : IAofLog
    {
        public void Log(LogLevel level, string message) =>
            trace.Add(string.Create(CultureInfo.InvariantCulture, $"log {level.ToString().ToLowerInvariant()}: {message}"));
    }
}
