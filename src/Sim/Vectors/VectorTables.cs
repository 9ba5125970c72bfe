using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace AofSim.Sim.Vectors;

/// <summary>
/// The vectors' inputs, written by hand: each row a command, a file or a script, with the
/// profile it runs under and the Redis versions it claims to agree with. The expected outputs
/// are the engine's, recorded at export time (<see cref="VectorSet"/>).
/// </summary>
internal static class VectorTables
{
    private const long Now = 1_700_000_000_000;
    private const string Seed = "2.6";
    private const string Redis7 = "7.0.15";
    private static readonly string[] Both = ["redis26", "fixed"];

    /// <summary>Every case, grouped in porting order.</summary>
    public static IEnumerable<VectorCase> All() =>
        Encoding().Concat(Feed()).Concat(Load()).Concat(Check()).Concat(Rewrite()).Concat(Flush()).Concat(RewriteDone());

    /// <summary>What each group leaves to the implementation, listed in its file.</summary>
    public static IReadOnlyList<string> ImplementationDefined(string group) => group switch
    {
        "encoding" => [],
        "feed" => ["The SELECT's argument and PEXPIREAT's time are decimal without sign or leading zeros; no other textual choice exists."],
        "load" => [
            "A bulk not followed by CRLF: the seed and Redis 7.0.15 skip the two bytes unread and load; a port not claiming the seed's behaviour may refuse the file (bad-format), as this engine does under fixed and redis-check-aof does. The vector's verdict is acceptable and lists both answers.",
            "A header that only atoi/strtol accept (*3x, $ 1, a bare LF, a line over 127 bytes): the seed and Redis 7.0.15 parse it; fixed refuses it (switch LoaderStrictHeaders).",
            "A negative length, or a known command with the wrong number of arguments: the seed and Redis 7.0.15 crash (at once, or at the next read of the key). No crash is a behaviour to keep: both profiles refuse the file, and no vector claims Redis's behaviour there.",
            "The message of a failed load is the seed's line; Redis 7 adds the file name and advice. A port reports the outcome and the seed's words.",
            "replay_errors counts the commands whose reply was an error; Redis 7.0.15 logs each as CRITICAL but keeps no count.",
        ],
        "check" => ["The report is redis-check-aof 7.0.15's for a file named appendonly.aof, line for line (its first line is Start checking Old-Style AOF). size_after_fix is the file's size after --fix, or its size when it is valid or empty."],
        "rewrite" => ["The order of the keys of a db, of a set's members and of a hash's fields is that of each implementation's hash tables (the seed's dict iterator). No rewrite vector depends on it: every db, set and hash in them holds one item; lists keep their order and sorted sets are ordered by score."],
        "flush" or "rewrite-done" => [
            "The trace lines are this engine's rendering of the syscalls (open, write, ftruncate, fdatasync, fsync, rename, unlink, fsyncdir, close), the background jobs (bio submit/run), the server's log lines and the replies released; a port renders its own calls in the same words.",
            "Descriptors are numbered from 3, the lowest free first, as the kernel does.",
        ],
        _ => [],
    };

    private static IEnumerable<VectorCase> Encoding()
    {
        (string Name, string Comment, string[] Argv)[] rows =
        [
            ("set", "SET k v: a count line, then a length line and the bytes of each argument", ["SET", "k", "v"]),
            ("one-argument", "a command alone", ["PING"]),
            ("empty-argument", "an empty argument is $0 and an empty line", ["SET", "k", ""]),
            ("crlf-and-nul", "binary-safe: CR, LF and NUL inside an argument are written as they are", ["SET", "a\r\nb", "x\0y"]),
            ("high-bytes", "bytes 0x80..0xFF as they are", ["SET", "\u00ff\u0080", "\u00e9t\u00e9"]),
            ("ten-digit-length", "a 100-byte argument: the length is decimal", ["SET", "k", new string('x', 100)]),
            ("many-arguments", "twelve arguments: a two-digit count", ["RPUSH", "l", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]),
            ("case-kept", "the command name is written as the client sent it", ["sEt", "K", "V"]),
        ];
        foreach ((string name, string comment, string[] argv) in rows)
        {
            yield return new VectorCase("encoding", name, comment, "fixed", new JsonObject { ["argv"] = Argv(argv) }, [Seed, Redis7]);
        }
    }

    private static IEnumerable<VectorCase> Feed()
    {
        (string Name, string Comment, string[][] Setup, string[] Argv, string[] Bugs)[] rows =
        [
            ("first-write-selects", "the first write is preceded by a SELECT of its db", [], ["SET", "k", "v"], []),
            ("same-db-no-select", "no SELECT while the db stays the same", [["SET", "a", "1"]], ["SET", "k", "v"], []),
            ("db-change-selects", "a SELECT whenever the db differs from the last one written", [["SET", "a", "1"], ["SELECT", "12"]], ["SET", "k", "v"], []),
            ("expire-to-pexpireat", "EXPIRE k 100 becomes PEXPIREAT k now+100000", [["SET", "k", "v"]], ["EXPIRE", "k", "100"], []),
            ("pexpire-to-pexpireat", "PEXPIRE k 1500 becomes PEXPIREAT k now+1500", [["SET", "k", "v"]], ["PEXPIRE", "k", "1500"], []),
            ("expireat-to-pexpireat", "EXPIREAT in seconds becomes PEXPIREAT in ms", [["SET", "k", "v"]], ["EXPIREAT", "k", "4102444800"], []),
            ("pexpireat-verbatim", "PEXPIREAT is written as it is", [["SET", "k", "v"]], ["PEXPIREAT", "k", "4102444800123"], []),
            ("expire-in-the-past-is-del", "EXPIRE with a negative time deletes the key and is written as DEL", [["SET", "k", "v"]], ["EXPIRE", "k", "-1"], []),
            ("setex", "SETEX: SET then PEXPIREAT in the seed, one SET … PXAT under the fix", [], ["SETEX", "k", "10", "v"], ["AtomicSetEx"]),
            ("psetex", "PSETEX: as SETEX, in ms", [], ["PSETEX", "k", "1500", "v"], ["AtomicSetEx"]),
            ("set-ex", "SET … EX: verbatim in the seed (the TTL restarts at each load), SET … PXAT under the fix", [], ["SET", "k", "v", "EX", "10"], ["#9", "PR #4068"]),
            ("set-px", "SET … PX: as SET … EX, in ms", [], ["SET", "k", "v", "PX", "1500"], ["#9", "PR #4068"]),
            ("spop-as-srem", "SPOP is written as the SREM of the member it popped", [["SADD", "s", "m"]], ["SPOP", "s"], []),
            ("incrbyfloat-as-set", "INCRBYFLOAT is written as a SET of the result (KEEPTTL under the fix, which keeps the key's expiry on replay)", [["SET", "n", "1"]], ["INCRBYFLOAT", "n", "1.5"], ["IncrByFloatKeepsTtl"]),
            ("failed-command-not-written", "a command that replies an error is never written", [["SET", "k", "v"]], ["RPUSH", "k", "a"], []),
            ("no-op-not-written", "a command that changes nothing (DEL of a missing key) is never written", [], ["DEL", "missing"], []),
            ("exec-writes-the-block", "EXEC writes MULTI, the queued writes, and EXEC", [["SET", "a", "1"], ["MULTI"], ["SET", "b", "2"], ["INCR", "a"]], ["EXEC"], []),
        ];
        foreach ((string name, string comment, string[][] setup, string[] argv, string[] bugs) in rows)
        {
            foreach (string profile in Both)
            {
                var input = new JsonObject { ["now_ms"] = Now, ["setup"] = new JsonArray([.. setup.Select(a => (JsonNode)Argv(a))]), ["argv"] = Argv(argv) };
                yield return new VectorCase("feed", $"{name}-{profile}", comment, profile, input, profile == "redis26" ? [Seed] : [], bugs.Length == 0 ? null : bugs);
            }
        }
    }

    private static IEnumerable<VectorCase> Load()
    {
        string setKV = C("SET", "k", "v");
        string setA1 = C("SET", "a", "1");
        string multi = C("MULTI");
        string exec = C("EXEC");
        const string cutBulk = "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\nval";

        // Name, comment, AOF, load-truncated, profiles, claims Redis 7.0.15, bugs, note.
        var rows = new List<(string, string, string, bool, string[], bool, string[]?, string?)>
        {
            ("strings-in-two-dbs", "SELECT and SET into db 0 and db 3", C("SELECT", "0") + setKV + C("SELECT", "3") + setA1, false, Both, true, null, null),
            ("every-type", "a string, a list, a set, a hash and a sorted set", setKV + C("RPUSH", "l", "x", "y") + C("SADD", "s", "b", "a") + C("HSET", "h", "f", "1") + C("ZADD", "z", "1.5", "m", "0.1", "n"), false, Both, true, null, null),
            ("binary-key-and-value", "CR, LF, NUL and high bytes in a key and a value", C("SET", "k\r\n\0\u00ff", "v\u0080\r\n"), false, Both, true, null, null),
            ("far-expiry", "PEXPIREAT sets an absolute expiry", setKV + C("PEXPIREAT", "k", "4102444800123"), false, Both, true, null, null),
            ("empty-file", "a zero-length file is an empty dataset", string.Empty, false, Both, true, null, null),
            ("annotations", "# annotation lines are skipped (Redis 7's #TS:)", "#TS:1700000000\r\n" + setKV + "#TS:1700000001\r\n" + setA1, false, Both, true, null, null),
            ("transaction", "MULTI … EXEC applies its writes", multi + setA1 + setKV + exec, false, Both, true, null, null),
            ("garbage", "a file that does not start with * is Bad file format", "garbage\r\n", false, Both, true, null, null),
            ("count-zero", "*0 is Bad file format", "*0\r\n", false, Both, true, null, null),
            ("unknown-command", "an unknown command stops the load, named as written", C("FOO", "k"), false, Both, true, null, null),
            ("cut-after-count", "the end of the file right after a count line is an unexpected end of file", setKV + "*3\r\n", false, Both, true, null, null),
            ("cut-inside-bulk", "a bulk cut by the end of the file: Bad file format in the seed, a truncation from Redis 2.8 on", setKV + cutBulk, false, Both, false, ["LoaderShortBulkIsTruncation"], "redis26 keeps the seed's Bad file format"),
            ("cut-inside-bulk-truncated", "with aof-load-truncated, a file cut inside a bulk loads up to its last whole command from Redis 2.8 on; the seed's loader reaches Bad file format there, which aof-load-truncated (acting at readerr only) does not rescue", setKV + cutBulk, true, Both, true, ["LoaderShortBulkIsTruncation"], "redis26 keeps the seed's Bad file format"),
            ("multi-left-open", "the end of the file inside MULTI is an unexpected end of file", setKV + multi + setA1, false, Both, true, null, null),
            ("multi-left-open-truncated", "with aof-load-truncated, an unfinished MULTI is reverted whole: cut before the MULTI; the seed has applied half of it", setKV + multi + setA1, true, Both, false, ["#15", "PR #5201", "LoaderQueuesMulti"], "redis26 applies half the block, as the seed"),
            ("discarded-transaction", "MULTI … DISCARD: nothing applied when queued; already applied in the seed, which runs commands as it reads them", multi + setA1 + C("DISCARD") + setKV, false, Both, false, ["#15", "LoaderQueuesMulti"], "redis26 applies the discarded block, as the seed"),
            ("rpush-on-a-string", "a command that replies an error is dropped and loading goes on (the fake client's reply is never sent)", setKV + C("RPUSH", "k", "x") + setA1, false, Both, true, null, null),
            ("exec-without-multi", "EXEC without MULTI is dropped", setA1 + exec + setKV, false, Both, true, null, null),
            ("nested-multi", "a nested MULTI is dropped; the block goes on to its EXEC", multi + setA1 + multi + setKV + exec + C("SET", "c", "3"), false, Both, true, null, null),
            ("wrongtype-in-transaction", "a WRONGTYPE inside a transaction is dropped and the rest of the block applies", C("SET", "s", "x") + multi + C("RPUSH", "s", "y") + setA1 + exec, false, Both, true, null, null),
            ("bulk-not-followed-by-crlf-seed", "a bulk not followed by CRLF: the seed and Redis 7 skip the two bytes unread and load", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nvXY" + setA1, false, ["redis26"], true, ["LoaderChecksBulkCrlf"], null),
            ("headers-atoi-strtol-seed", "*3x, $ 1, $1z and bare LFs: the seed's atoi/strtol parse them", "*3x\r\n$3\r\nSET\r\n$ 1\r\nk\r\n$1z\r\nv\r\n*3\n$3\nSET\r\n$1\na\r\n$1\n1\r\n", false, ["redis26"], true, ["LoaderStrictHeaders"], null),
            ("headers-atoi-strtol-fixed", "*3x, $ 1, $1z and bare LFs are Bad file format under fixed", "*3x\r\n$3\r\nSET\r\n$ 1\r\nk\r\n$1z\r\nv\r\n", false, ["fixed"], false, ["LoaderStrictHeaders"], "fixed refuses what Redis 7.0.15 still parses"),
            ("header-over-127-bytes", "a header line longer than fgets's 127 bytes: split by the seed (its second piece is not a $ line), refused by fixed: Bad file format either way", "*1" + new string(' ', 125) + "\r\n$4\r\nPING\r\n", false, Both, false, ["LoaderStrictHeaders"], "no claim: Redis 7 splits the line as the seed does"),
            ("negative-length", "$-1: the seed and Redis 7 crash; both profiles refuse it", "*1\r\n$-1\r\n", false, Both, false, null, "Redis 7.0.15 aborts on sds's length assertion while loading"),
            ("wrong-arity", "SET k: the seed runs SET on a short argv; both profiles refuse it", C("SET", "k"), false, Both, false, null, "Redis 7.0.15 loads it and crashes when the key is read"),
            ("set-ex-relative-to-load", "SET … EX logged verbatim (the seed's feed) expires relative to the load time", C("SET", "k", "v", "EX", "100"), false, Both, false, ["#9"], "depends on the load time: no Redis run can reproduce now_ms"),
        };
        foreach ((string name, string comment, string aof, bool truncated, string[] profiles, bool redis7, string[]? bugs, string? note) in rows)
        {
            foreach (string profile in profiles)
            {
                var input = new JsonObject { ["aof"] = aof, ["load_truncated"] = truncated, ["now_ms"] = Now };
                string id = profiles.Length == 1 ? name : $"{name}-{profile}";
                bool claims7 = redis7 && !(note is not null && profile == "redis26");
                string[] claims = profile == "redis26" ? (claims7 ? [Seed, Redis7] : [Seed]) : (claims7 ? [Redis7] : []);
                yield return new VectorCase("load", id, comment, profile, input, claims, bugs, null, claims7 ? null : note ?? (profile == "redis26" ? "the seed's behaviour" : null));
            }
        }

        yield return new VectorCase(
            "load",
            "bulk-not-followed-by-crlf-fixed",
            "a bulk not followed by CRLF under fixed: this engine refuses it (bad-format); loading it as the seed does is acceptable too",
            "fixed",
            new JsonObject { ["aof"] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nvXY" + setA1, ["load_truncated"] = false, ["now_ms"] = Now },
            [],
            ["LoaderChecksBulkCrlf"],
            "fixed-LoaderChecksBulkCrlf",
            "implementation-defined: fixed refuses the file where Redis 7.0.15 loads it");
    }

    private static IEnumerable<VectorCase> Check()
    {
        string setKV = C("SET", "k", "v");
        (string Name, string Comment, string Aof)[] rows =
        [
            ("valid", "a valid file", setKV + C("SET", "a", "1")),
            ("empty", "an empty file", string.Empty),
            ("cut-inside-bulk", "a bulk cut short: ok_up_to is the end of the last whole command", setKV + "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\nval"),
            ("cut-after-count", "the file ends after a count line", setKV + "*3\r\n"),
            ("bulk-not-followed-by-crlf", "a bulk followed by XY instead of CRLF", setKV + "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nvXY"),
            ("garbage-first", "the first line does not start with *", "garbage\r\n" + setKV),
            ("garbage-after-a-command", "a valid command, then a line that does not start with *", setKV + "xyz\r\n"),
            ("multi-left-open", "a MULTI never closed: valid up to the MULTI", setKV + C("MULTI") + C("SET", "a", "1")),
            ("nested-multi", "MULTI inside MULTI: Unexpected MULTI", C("MULTI") + C("MULTI")),
            ("exec-without-multi", "EXEC without MULTI: Unexpected EXEC", setKV + C("EXEC")),
            ("transaction", "a closed transaction is valid", C("MULTI") + setKV + C("EXEC")),
            ("annotation", "a # annotation line is skipped", "#TS:1700000000\r\n" + setKV),
            ("length-not-a-number", "a length line that is not a number", "*1\r\n$x\r\nPING\r\n"),
        ];
        foreach ((string name, string comment, string aof) in rows)
        {
            yield return new VectorCase("check", name, comment, "fixed", new JsonObject { ["aof"] = aof }, [Redis7]);
        }
    }

    private static IEnumerable<VectorCase> Rewrite()
    {
        const long setupNow = Now - 10_000;
        string[][] list70 = [["RPUSH", "l", .. Enumerable.Range(1, 70).Select(i => i.ToString(CultureInfo.InvariantCulture))]];
        (string Name, string Comment, string[][] Setup, string[] Bugs)[] rows =
        [
            ("empty", "an empty dataset is an empty file", [], []),
            ("strings-per-db", "a SELECT per non-empty db, then a SET per key", [["SET", "a", "1"], ["SELECT", "3"], ["SET", "k", "v"], ["SELECT", "15"], ["SET", "z", "9"]], []),
            ("list-in-64-item-batches", "a list of 70 items: RPUSH of 64, then of 6", list70, []),
            ("set", "a set as SADD", [["SADD", "s", "x"]], []),
            ("hash", "a hash as HMSET", [["HSET", "h", "f", "v"]], []),
            ("zset-scores-17g", "a sorted set as ZADD, each score as %.17g", [["ZADD", "z", "0.1", "a", "1.5", "b", "100", "c"]], []),
            ("expiry-after-the-key", "a key with an expiry: its SET, then PEXPIREAT", [["SET", "k", "v"], ["PEXPIREAT", "k", "4102444800123"]], []),
            ("expired-key", "a key already expired at rewrite time: skipped under the fix, written without its expiry in the seed", [["SET", "gone", "v"], ["PEXPIREAT", "gone", (Now - 1).ToString(CultureInfo.InvariantCulture)], ["SELECT", "1"], ["SET", "k", "v"]], ["#4", "PR #1079", "RewriteExpiryBeforeWrite"]),
            ("binary", "binary keys and values", [["SET", "k\r\n\0", "\u00ff\u0080"]], []),
        ];
        foreach ((string name, string comment, string[][] setup, string[] bugs) in rows)
        {
            foreach (string profile in Both)
            {
                var input = new JsonObject { ["now_ms"] = Now, ["setup_now_ms"] = setupNow, ["setup"] = new JsonArray([.. setup.Select(a => (JsonNode)Argv(a))]) };
                yield return new VectorCase("rewrite", $"{name}-{profile}", comment, profile, input, profile == "redis26" ? [Seed] : [], bugs.Length == 0 ? null : bugs);
            }
        }
    }

    private static IEnumerable<VectorCase> Flush()
    {
        JsonObject set = Op("command", ("argv", Argv("SET", "k", "v")));
        JsonObject set2 = Op("command", ("argv", Argv("SET", "a", "1")));
        JsonObject set3 = Op("command", ("argv", Argv("SET", "b", "2")));
        JsonObject sleep = Op("before_sleep");
        JsonObject cron = Op("cron");
        JsonObject bio = Op("bio");
        JsonObject Advance(long ms) => Op("advance", ("ms", ms));
        JsonObject Plan(string syscall, string result) => Op("plan", ("syscall", syscall), ("result", result));

        (string Name, string Comment, string Policy, JsonObject[] Steps, string[] Bugs)[] rows =
        [
            ("always-write-fsync-then-reply", "always: the buffer is written and fsynced before the reply is released", "always", [set, sleep], []),
            ("everysec-reply-then-background-fsync", "everysec: written and replied at once; the fsync is a background job, submitted by the first flush a second after the last one", "everysec", [set, sleep, Advance(1000), set2, sleep, bio], []),
            ("no-never-fsyncs", "no: written, never fsynced", "no", [set, sleep, Advance(2000), cron, sleep], []),
            ("everysec-postpone-then-delayed-write", "everysec with a background fsync pending: the write is postponed, then done anyway after 2 seconds and counted in aof_delayed_fsync", "everysec", [set, sleep, Advance(1000), set2, sleep, set3, sleep, Advance(1000), sleep, Advance(1100), sleep], ["MillisecondFsyncTiming"]),
            ("everysec-short-write", "everysec: a short write is truncated back to the last good size", "everysec", [Plan("write", "short:5"), set, sleep, Advance(1000), cron, sleep], ["#1", "#6", "WriteErrorRefusesWrites"]),
            ("everysec-write-error", "everysec: a failed write (ENOSPC) refuses writes and is retried (the seed exits)", "everysec", [Plan("write", "ENOSPC"), set, sleep, set2, sleep, Advance(1000), cron, sleep], ["#6", "WriteErrorRefusesWrites"]),
            ("always-write-error-exits", "always: a failed write stops the server; the reply is never sent", "always", [Plan("write", "EIO"), set, sleep], []),
            ("always-fsync-error", "always: a failed fsync stops the server under the fix (#11), is ignored by the seed", "always", [Plan("fdatasync", "EIO"), set, sleep], ["#11", "FsyncErrorsHandled"]),
            ("everysec-tail-fsynced", "everysec: when writes stop, the tail is still fsynced a second later (#7)", "everysec", [set, sleep, Advance(500), cron, sleep, Advance(1000), cron, sleep], ["#7", "FsyncEverysecTail"]),
        ];
        foreach ((string name, string comment, string policy, JsonObject[] steps, string[] bugs) in rows)
        {
            foreach (string profile in Both)
            {
                var input = new JsonObject { ["policy"] = policy, ["start_ms"] = Now, ["steps"] = new JsonArray([.. steps.Select(s => (JsonNode)s.DeepClone())]) };
                yield return new VectorCase("flush", $"{name}-{profile}", comment, profile, input, profile == "redis26" ? [Seed] : [], bugs.Length == 0 ? null : bugs);
            }
        }
    }

    private static IEnumerable<VectorCase> RewriteDone()
    {
        JsonObject set = Op("command", ("argv", Argv("SET", "k", "v")));
        JsonObject set2 = Op("command", ("argv", Argv("SET", "a", "1")));
        JsonObject bg = Op("command", ("argv", Argv("BGREWRITEAOF")));
        JsonObject sleep = Op("before_sleep");
        JsonObject cron = Op("cron");
        JsonObject finish = Op("child", ("action", "finish"));
        JsonObject Plan(string syscall, string result) => Op("plan", ("syscall", syscall), ("result", result));
        JsonObject[] Around(params JsonObject[] middle) => [set, sleep, bg, sleep, set2, sleep, .. middle, cron, sleep];

        (string Name, string Comment, JsonObject[] Steps, string[] Bugs)[] rows =
        [
            ("success", "the child writes the temp file; the parent appends the diff, fsyncs (#13), renames it over the AOF, fsyncs the directory and switches descriptors", Around(finish), ["#12", "#13", "FsyncBeforeRenameAndDir", "NoFsyncOnClosedFd"]),
            ("child-error", "the child exits with an error: the temp file is removed, the AOF kept", Around(Op("child", ("action", "exit"), ("code", 1L))), ["#10"]),
            ("child-killed", "the child is killed: both temp names removed under the fix (#10), only the -bg- one in the seed", Around(Op("child", ("action", "kill"))), ["#10", "RemoveBothTempNames"]),
            ("open-fails", "the temp file cannot be opened: the rewrite fails, the AOF is kept", Around(finish, Plan("open", "EACCES")), []),
            ("diff-write-fails", "the diff cannot be written: the rewrite fails, the temp file is removed", Around(finish, Plan("write", "ENOSPC")), []),
            ("rename-fails", "the rename fails: the temp file is removed, the AOF kept", Around(finish, Plan("rename", "EIO")), []),
        ];
        foreach ((string name, string comment, JsonObject[] steps, string[] bugs) in rows)
        {
            foreach (string profile in Both)
            {
                var input = new JsonObject { ["policy"] = "everysec", ["start_ms"] = Now, ["steps"] = new JsonArray([.. steps.Select(s => (JsonNode)s.DeepClone())]) };
                yield return new VectorCase("rewrite-done", $"{name}-{profile}", comment, profile, input, profile == "redis26" ? [Seed] : [], bugs.Length == 0 ? null : bugs);
            }
        }
    }

    private static JsonObject Op(string op, params (string Key, JsonNode? Value)[] fields)
    {
        var o = new JsonObject { ["op"] = op };
        foreach ((string key, JsonNode? value) in fields)
        {
            o[key] = value;
        }

        return o;
    }

    private static JsonArray Argv(params string[] argv) => new([.. argv.Select(a => (JsonNode)JsonValue.Create(a)!)]);

    // A command as the AOF holds it: the RESP of its argv (arguments are ISO-8859-1 byte codes).
    private static string C(params string[] argv)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(argv.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        foreach (string a in argv)
        {
            sb.Append('$').Append(a.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n").Append(a).Append("\r\n");
        }

        return sb.ToString();
    }
}
