using System.Text;

namespace AofSim.Scenarios.Cli;

/// <summary>
/// The aofsim command line end to end: the program run as a process over real files in a fresh temp directory,
/// with stdout and stderr captured. Exit codes: 0 success, 1 the work found a failure, 2 bad usage.
/// </summary>
public sealed class CliScenarios : IDisposable
{
    private const string BadFormat =
        "Bad file format reading the append only file: make a backup of your AOF file, then use ./redis-check-aof --fix <filename>";

    // 27 bytes.
    private const string SetKV = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";

    private const string DumpK = "{\"db\":0,\"key\":\"k\",\"type\":\"string\",\"expireAt\":null,\"value\":\"v\"}";

    private readonly string dir;

    public CliScenarios()
    {
        dir = Path.Combine(Path.GetTempPath(), "aofsim-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    // ------------------------------------------------------------ load

    [Fact]
    public void LoadWithDumpPrintsOneJsonLinePerKey()
    {
        string file = Write("appendonly.aof", "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n" + SetKV + "*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n");

        (int exit, string stdout, string stderr) = Run("load", file, "--dump");

        Assert.Equal(0, exit);
        Assert.Equal(
            "{\"db\":2,\"key\":\"k\",\"type\":\"string\",\"expireAt\":null,\"value\":\"v\"}\n"
            + "{\"db\":2,\"key\":\"l\",\"type\":\"list\",\"expireAt\":null,\"value\":[\"a\",\"b\"]}\n",
            stdout);
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public void LoadWithoutDumpPrintsNothing()
    {
        string file = Write("appendonly.aof", SetKV);

        (int exit, string stdout, string stderr) = Run("load", file);

        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public void LoadingAnEmptyFileSucceedsWithAnEmptyDump()
    {
        string file = Write("appendonly.aof", string.Empty);

        (int exit, string stdout, _) = Run("load", file, "--dump");

        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, stdout);
    }

    [Fact]
    public void LoadingAMissingFileIsAUsageErrorOnOneLineWithoutAStackTrace()
    {
        string missing = Path.Combine(dir, "nope.aof");

        (int exit, string stdout, string stderr) = Run("load", missing);

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"aofsim: no such file: {missing}\n", stderr);
    }

    [Fact]
    public void AnUnknownFlagIsAUsageError()
    {
        string file = Write("appendonly.aof", SetKV);

        (int exit, _, string stderr) = Run("load", file, "--bogus");

        Assert.Equal(2, exit);
        Assert.StartsWith("aofsim: ", stderr, StringComparison.Ordinal);
        Assert.Contains("--bogus", stderr, StringComparison.Ordinal);
        Assert.Single(Lines(stderr));
    }

    [Fact]
    public void AnUnknownVerbIsAUsageError()
    {
        (int exit, _, string stderr) = Run("frobnicate");

        Assert.Equal(2, exit);
        Assert.StartsWith("aofsim: ", stderr, StringComparison.Ordinal);
        Assert.Single(Lines(stderr));
    }

    [Fact]
    public void AnUnknownProfileIsAUsageError()
    {
        string file = Write("appendonly.aof", SetKV);

        (int exit, string stdout, string stderr) = Run("load", file, "--profile", "redis99");

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("aofsim: unknown profile 'redis99' (expected redis26 or fixed, optionally with +Switch or -Switch from: ", stderr, StringComparison.Ordinal);
        Assert.EndsWith(")\n", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ADamagedFileExitsOneWithTheSeedsMessage()
    {
        string file = Write("appendonly.aof", SetKV + "garbage\r\n");

        (int exit, string stdout, string stderr) = Run("load", file, "--dump");

        Assert.Equal(1, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(BadFormat + "\n", stderr);
    }

    [Fact]
    public void ACutFileExitsOneWithUnexpectedEndOfFile()
    {
        string file = Write("appendonly.aof", SetKV + "*3\r\n$3\r\nSE");

        (int exit, _, string stderr) = Run("load", file);

        Assert.Equal(1, exit);
        Assert.Equal("Unexpected end of file reading the append only file\n", stderr);
    }

    [Fact]
    public void ACutFileUnderTheSeedProfileIsBadFormat()
    {
        string file = Write("appendonly.aof", SetKV + "*3\r\n$3\r\nSE");

        (int exit, _, string stderr) = Run("load", file, "--profile", "redis26");

        Assert.Equal(1, exit);
        Assert.Equal(BadFormat + "\n", stderr);
    }

    [Fact]
    public void LoadTruncatedLoadsTheWholeCommandsAndLogsTheTruncation()
    {
        string file = Write("appendonly.aof", SetKV + "*3\r\n$3\r\nSE");

        (int exit, string stdout, string stderr) = Run("load", file, "--load-truncated", "--dump");

        Assert.Equal(0, exit);
        Assert.Equal(DumpK + "\n", stdout);
        Assert.Equal(
            "!!! Warning: short read while loading the AOF file appendonly.aof!!!\n"
            + "!!! Truncating the AOF appendonly.aof at offset 27 !!!\n"
            + "AOF appendonly.aof loaded anyway because aof-load-truncated is enabled\n",
            stderr);
        Assert.Equal(37, new FileInfo(file).Length); // the loader never changes the file
    }

    [Fact]
    public void LoadStatsGoToStderr()
    {
        string file = Write("appendonly.aof", SetKV);

        (int exit, string stdout, string stderr) = Run("load", file, "--stats");

        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith("commands=1 bytes=27 seconds=", stderr, StringComparison.Ordinal);
        Assert.EndsWith(" replay_errors=0\n", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ACommandThatRepliesAnErrorIsAWarningAndCountedInStatsAndAStrictLoadRefusesIt()
    {
        // SET k v (27 bytes), then RPUSH k a at offset 27: WRONGTYPE, dropped as Redis drops it.
        string file = Write("appendonly.aof", SetKV + "*3\r\n$5\r\nRPUSH\r\n$1\r\nk\r\n$1\r\na\r\n");

        (int exit, string stdout, string stderr) = Run("load", file, "--stats", "--dump");
        (int strictExit, _, string strictErr) = Run("load", file, "--strict-replay");

        Assert.Equal(0, exit);
        Assert.Equal(DumpK + "\n", stdout);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("1 command(s) replied an error while loading the append only file and were ignored; the first at offset 27: 'rpush': WRONGTYPE Operation against a key holding the wrong kind of value", lines[0]);
        Assert.EndsWith(" replay_errors=1 first_replay_error_offset=27", lines[1], StringComparison.Ordinal);
        Assert.Equal(1, strictExit);
        Assert.Equal("Error replaying 'rpush' at offset 27 reading the append only file: WRONGTYPE Operation against a key holding the wrong kind of value\n", strictErr);
    }

    // ------------------------------------------------------------ Redis 7 multi-part

    [Fact]
    public void ADirectoryWithAManifestLoadsTheBaseThenTheIncrFile()
    {
        string aofDir = Directory.CreateDirectory(Path.Combine(dir, "appendonlydir")).FullName;
        Write("appendonlydir/appendonly.aof.manifest", "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
        Write("appendonlydir/appendonly.aof.1.base.aof", SetKV + "*3\r\n$3\r\nSET\r\n$4\r\nbase\r\n$1\r\n1\r\n");
        Write("appendonlydir/appendonly.aof.1.incr.aof", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\nincr\r\n");

        (int exit, string stdout, string stderr) = Run("load", aofDir, "--dump");

        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, stderr);
        Assert.Equal(
            "{\"db\":0,\"key\":\"base\",\"type\":\"string\",\"expireAt\":null,\"value\":\"1\"}\n"
            + "{\"db\":0,\"key\":\"k\",\"type\":\"string\",\"expireAt\":null,\"value\":\"incr\"}\n",
            stdout);
    }

    [Fact]
    public void EachPartOfAMultiPartAofStartsInDbZero()
    {
        // Redis 7 loads each file with a fresh fake client: the SELECT of the base does not carry over.
        Directory.CreateDirectory(Path.Combine(dir, "appendonlydir"));
        string manifest = Write("appendonlydir/appendonly.aof.manifest", "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
        Write("appendonlydir/appendonly.aof.1.base.aof", "*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n" + "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n");
        Write("appendonlydir/appendonly.aof.1.incr.aof", "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n");

        (int exit, string stdout, _) = Run("load", manifest, "--dump");

        Assert.Equal(0, exit);
        Assert.Equal(
            "{\"db\":0,\"key\":\"b\",\"type\":\"string\",\"expireAt\":null,\"value\":\"2\"}\n"
            + "{\"db\":1,\"key\":\"a\",\"type\":\"string\",\"expireAt\":null,\"value\":\"1\"}\n",
            stdout);
    }

    [Fact]
    public void ADamagedIncrFileFailsTheLoad()
    {
        string aofDir = Directory.CreateDirectory(Path.Combine(dir, "appendonlydir")).FullName;
        Write("appendonlydir/appendonly.aof.manifest", "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
        Write("appendonlydir/appendonly.aof.1.base.aof", SetKV);
        Write("appendonlydir/appendonly.aof.1.incr.aof", "garbage\r\n");

        (int exit, string stdout, string stderr) = Run("load", aofDir, "--dump");

        Assert.Equal(1, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(BadFormat + "\n", stderr);
    }

    [Fact]
    public void ADirectoryWithoutAManifestIsAUsageError()
    {
        string empty = Directory.CreateDirectory(Path.Combine(dir, "empty")).FullName;

        (int exit, _, string stderr) = Run("load", empty);

        Assert.Equal(2, exit);
        Assert.Equal($"aofsim: {empty} is a directory with no AOF manifest in it\n", stderr);
    }

    // ------------------------------------------------------------ check

    [Fact]
    public void CheckingAValidFileExitsZero()
    {
        string file = Write("appendonly.aof", SetKV);

        (int exit, string stdout, _) = Run("check", file);

        Assert.Equal(0, exit);
        Assert.Equal(
            "Start checking Old-Style AOF\n"
            + $"AOF analyzed: filename={file}, size=27, ok_up_to=27, ok_up_to_line=8, diff=0\n"
            + $"AOF {file} is valid\n",
            stdout);
    }

    [Fact]
    public void CheckingADamagedFileExitsOne()
    {
        // 27 + 10 bytes; the payload read of "SE" (5 bytes wanted) starts at 35 = 0x23.
        string file = Write("appendonly.aof", SetKV + "*3\r\n$3\r\nSE");

        (int exit, string stdout, _) = Run("check", file);

        Assert.Equal(1, exit);
        Assert.Equal(
            "Start checking Old-Style AOF\n"
            + "0x              23: Expected to read 5 bytes, got 2 bytes\n"
            + $"AOF analyzed: filename={file}, size=37, ok_up_to=27, ok_up_to_line=10, diff=10\n"
            + $"AOF {file} is not valid. Use the --fix option to try fixing it.\n",
            stdout);
    }

    [Fact]
    public void CheckingAnExecWithoutMultiNamesTheFileAsGiven()
    {
        // SET k v (27) + EXEC (14): the EXEC payload is read at 35 = 0x23.
        string file = Write("appendonly.aof", SetKV + "*1\r\n$4\r\nEXEC\r\n");

        (int exit, string stdout, _) = Run("check", file);

        Assert.Equal(1, exit);
        Assert.Equal(
            "Start checking Old-Style AOF\n"
            + $"0x              23: Unexpected EXEC in AOF {file}\n"
            + $"AOF analyzed: filename={file}, size=41, ok_up_to=27, ok_up_to_line=11, diff=14\n"
            + $"AOF {file} is not valid. Use the --fix option to try fixing it.\n",
            stdout);
    }

    [Fact]
    public void CheckFixTruncatesToTheLastValidOffsetAndTheFileThenChecksValid()
    {
        string file = Write("appendonly.aof", SetKV + "*3\r\n$3\r\nSE");

        (int exit, string stdout, _) = Run("check", file, "--fix");

        Assert.Equal(0, exit);
        Assert.Equal(
            "Start checking Old-Style AOF\n"
            + "0x              23: Expected to read 5 bytes, got 2 bytes\n"
            + $"AOF analyzed: filename={file}, size=37, ok_up_to=27, ok_up_to_line=10, diff=10\n"
            + $"This will shrink the AOF {file} from 37 bytes, with 10 bytes, to 27 bytes\n"
            + $"Successfully truncated AOF {file}\n",
            stdout);
        Assert.Equal(SetKV, File.ReadAllText(file, Encoding.Latin1));

        (int again, string report, _) = Run("check", file);
        Assert.Equal(0, again);
        Assert.EndsWith($"AOF {file} is valid\n", report, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckFixOnAValidFileChangesNothing()
    {
        string file = Write("appendonly.aof", SetKV);

        (int exit, string stdout, _) = Run("check", file, "--fix");

        Assert.Equal(0, exit);
        Assert.EndsWith($"AOF {file} is valid\n", stdout, StringComparison.Ordinal);
        Assert.Equal(27, new FileInfo(file).Length);
    }

    [Fact]
    public void CheckingAnEmptyFileSaysItIsEmpty()
    {
        string file = Write("appendonly.aof", string.Empty);

        (int exit, string stdout, _) = Run("check", file);

        Assert.Equal(0, exit);
        Assert.Equal($"Start checking Old-Style AOF\nAOF {file} is empty\n", stdout);
    }

    [Fact]
    public void CheckingAMissingFileIsAUsageError()
    {
        string missing = Path.Combine(dir, "nope.aof");

        (int exit, _, string stderr) = Run("check", missing);

        Assert.Equal(2, exit);
        Assert.Equal($"aofsim: no such file: {missing}\n", stderr);
    }

    [Fact]
    public void CheckingADirectoryIsAUsageError()
    {
        (int exit, _, string stderr) = Run("check", dir);

        Assert.Equal(2, exit);
        Assert.Equal($"aofsim: {dir} is a directory: give the AOF file\n", stderr);
    }

    // ------------------------------------------------------------ rewrite

    [Fact]
    public void ARewrittenFileLoadsToTheSameDumpAsTheOriginal()
    {
        // PEXPIREAT 4102444800000 is 2100-01-01: still in the future when the dump is taken.
        string original = Write(
            "appendonly.aof",
            SetKV
            + "*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n"
            + "*4\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\nx\r\n$1\r\ny\r\n"
            + "*6\r\n$4\r\nZADD\r\n$1\r\nz\r\n$3\r\n0.1\r\n$1\r\nm\r\n$3\r\ninf\r\n$1\r\nn\r\n"
            + "*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$1\r\nv\r\n"
            + "*2\r\n$6\r\nSELECT\r\n$1\r\n9\r\n"
            + "*3\r\n$3\r\nSET\r\n$2\r\nk9\r\n$2\r\nv9\r\n"
            + "*3\r\n$9\r\nPEXPIREAT\r\n$2\r\nk9\r\n$13\r\n4102444800000\r\n"
            + "*2\r\n$3\r\nDEL\r\n$2\r\nk9\r\n" // deleted and written again: the rewrite keeps only the last state
            + "*3\r\n$3\r\nSET\r\n$2\r\nk9\r\n$2\r\nv9\r\n"
            + "*3\r\n$9\r\nPEXPIREAT\r\n$2\r\nk9\r\n$13\r\n4102444800000\r\n"
            + "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
            + "*2\r\n$3\r\nDEL\r\n$1\r\nl\r\n"
            + "*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n");
        string output = Path.Combine(dir, "rewritten.aof");

        (int rewriteExit, _, string rewriteErr) = Run("rewrite", original, "-o", output);
        (int loadOriginal, string before, _) = Run("load", original, "--dump");
        (int loadRewritten, string after, _) = Run("load", output, "--dump");

        Assert.Equal(0, rewriteExit);
        Assert.Equal("SYNC append only file rewrite performed\n", rewriteErr);
        Assert.Equal(0, loadOriginal);
        Assert.Equal(0, loadRewritten);
        Assert.Equal(
            "{\"db\":0,\"key\":\"h\",\"type\":\"hash\",\"expireAt\":null,\"value\":[[\"f\",\"v\"]]}\n"
            + DumpK + "\n"
            + "{\"db\":0,\"key\":\"l\",\"type\":\"list\",\"expireAt\":null,\"value\":[\"a\",\"b\"]}\n"
            + "{\"db\":0,\"key\":\"s\",\"type\":\"set\",\"expireAt\":null,\"value\":[\"x\",\"y\"]}\n"
            + "{\"db\":0,\"key\":\"z\",\"type\":\"zset\",\"expireAt\":null,\"value\":[[\"m\",\"0.10000000000000001\"],[\"n\",\"inf\"]]}\n"
            + "{\"db\":9,\"key\":\"k9\",\"type\":\"string\",\"expireAt\":4102444800000,\"value\":\"v9\"}\n",
            before);
        Assert.Equal(before, after);
        Assert.True(new FileInfo(output).Length < new FileInfo(original).Length);
        Assert.False(File.Exists(Path.Combine(dir, $"temp-rewriteaof-{Environment.ProcessId}.aof")));
    }

    [Fact]
    public void RewritingADamagedFileExitsOneAndWritesNothing()
    {
        string original = Write("appendonly.aof", "garbage\r\n");
        string output = Path.Combine(dir, "rewritten.aof");

        (int exit, _, string stderr) = Run("rewrite", original, "-o", output);

        Assert.Equal(1, exit);
        Assert.Equal(BadFormat + "\n", stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void RewriteWithoutAnOutputIsAUsageError()
    {
        string original = Write("appendonly.aof", SetKV);

        (int exit, _, string stderr) = Run("rewrite", original);

        Assert.Equal(2, exit);
        Assert.StartsWith("aofsim: ", stderr, StringComparison.Ordinal);
        Assert.Single(Lines(stderr));
    }

    // ------------------------------------------------------------ help

    [Theory]
    [InlineData("load")]
    [InlineData("check")]
    [InlineData("rewrite")]
    [InlineData("bench")]
    [InlineData("serve")]
    public void HelpOnEachVerbExitsZeroAndShowsUsage(string verb)
    {
        (int exit, string stdout, string stderr) = Run(verb, "--help");

        Assert.Equal(0, exit);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
        Assert.Contains(verb, stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stderr);
    }

    [Theory]
    [InlineData("""[{"do":"client"}]""", "script step 1: a client step needs commands")]
    [InlineData("""[{"do":"advance","ms":5},{"do":"client","db":16,"argv":[["SET","a","b"]]}]""", "script step 2: db must be 0..15")]
    [InlineData("""[{"do":"advance","ms":-5}]""", "script step 1: ms must be 0..86400000")]
    [InlineData("""[{"do":"advance","ms":9000000000000}]""", "script step 1: ms must be 0..86400000")]
    [InlineData("""[{"do":"child","syscalls":0}]""", "script step 1: syscalls must be 1..1000000")]
    [InlineData("""[{"do":"power-loss","quietMs":0,"downMs":-1}]""", "script step 1: quietMs and downMs must be 0..86400000")]
    [InlineData("""[{"do":"explode"}]""", "is not a scenario file")]
    public void ABadScriptInAScenarioFileIsOneLineAndExitTwo(string script, string message)
    {
        string file = Write("bad.json", $$"""{"seed":1,"profile":"fixed","policy":"always","fs":"posix","faults":"none","ops":10,"script":{{script}}}""");
        (int exit, string stdout, string stderr) = Run("replay", file);

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Single(Lines(stderr));
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------ helpers

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args) => AofsimProcess.Capture(args);

    private string Write(string relative, string content)
    {
        string path = Path.Combine(dir, relative);
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(content));
        return path;
    }
}
