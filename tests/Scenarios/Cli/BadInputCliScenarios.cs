using System.Runtime.InteropServices;
using System.Text;
using System.IO.Abstractions;
using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Sim;

namespace AofSim.Scenarios.Cli;

/// <summary>
/// Issue 17's bad inputs, end to end through Program.Run: lengths and counts that overflow, a
/// manifest with two bases, numeric options out of range, a FIFO, and a file that grows while it
/// is read. Each is one line and a non-zero exit (or, where Redis accepts it, a success), never a
/// stack trace.
/// </summary>
public sealed class BadInputCliScenarios : IDisposable
{
    private const string UnexpectedEof = "Unexpected end of file reading the append only file";

    private const string BadFormat =
        "Bad file format reading the append only file: make a backup of your AOF file, then use ./redis-check-aof --fix <filename>";

    // 27 bytes each.
    private const string SetKV = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
    private const string SetAB = "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n";

    private readonly string dir;

    public BadInputCliScenarios()
    {
        dir = Path.Combine(Path.GetTempPath(), "aofsim-badinput-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    // ------------------------------------------------------------ point 1: huge lengths

    // A whole SET, then a command whose length (or count) claims more than a long can add 2 to.
    public static TheoryData<string> HugeClaims() => new()
    {
        "*1\r\n$9223372036854775806\r\nab\r\n",
        "*1\r\n$9223372036854775807\r\nab\r\n",
        "*1\r\n$9223372036854775805\r\n",
        "*2\r\n$3\r\nGET\r\n$4294967294\r\nxy\r\n",
        "*9223372036854775807\r\n$3\r\nSET\r\n",
    };

    [Theory]
    [MemberData(nameof(HugeClaims))]
    public void LoadOfAHugeClaimIsOneLineOfUnexpectedEofAndExitOne(string tail)
    {
        string file = Write("appendonly.aof", SetKV + tail);

        (int exit, string stdout, string stderr) = Run("load", file);

        Assert.Equal(1, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(UnexpectedEof + "\n", stderr);
    }

    [Theory]
    [MemberData(nameof(HugeClaims))]
    public void LoadOfAHugeClaimUnderTheSeedProfileIsBadFormat(string tail)
    {
        string file = Write("appendonly.aof", SetKV + tail);

        (int exit, _, string stderr) = Run("load", file, "--profile", "redis26");

        // A length or payload cut by the end of the file is the seed's failed fread: fmterr. The
        // count 9223372036854775807 is LONG_MAX from strtol, and atoi's int is its low 32 bits,
        // -1: argc < 1, fmterr too.
        Assert.Equal(1, exit);
        Assert.Equal(BadFormat + "\n", stderr);
    }

    [Theory]
    [MemberData(nameof(HugeClaims))]
    public void LoadTruncatedOfAHugeClaimLoadsTheWholeCommandBeforeIt(string tail)
    {
        string file = Write("appendonly.aof", SetKV + tail);

        (int exit, string stdout, string stderr) = Run("load", file, "--load-truncated", "--dump");

        Assert.Equal(0, exit);
        Assert.Equal("{\"db\":0,\"key\":\"k\",\"type\":\"string\",\"expireAt\":null,\"value\":\"v\"}\n", stdout);
        Assert.Contains("!!! Truncating the AOF appendonly.aof at offset 27 !!!\n", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HugeClaims))]
    public void RewriteOfAHugeClaimIsOneLineAndExitOne(string tail)
    {
        string file = Write("appendonly.aof", SetKV + tail);
        string output = Path.Combine(dir, "out.aof");

        (int exit, _, string stderr) = Run("rewrite", file, "-o", output);

        Assert.Equal(1, exit);
        Assert.Equal(UnexpectedEof + "\n", stderr);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [MemberData(nameof(HugeClaims))]
    public void ServeRefusesToStartFromAHugeClaimWithOneLine(string tail)
    {
        Write("appendonly.aof", SetKV + tail);

        // Without aof-load-truncated the load fails before anything listens: nothing to stop.
        (int exit, _, string stderr) = Run("serve", "--port", "0", "--dir", dir, "--aof-load-truncated", "no");

        Assert.Equal(1, exit);
        Assert.Equal(UnexpectedEof + "\n", stderr);
    }

    [Fact]
    public void CheckOfALengthBeyondLongMaxMinusTwoSaysItIsOutOfRange()
    {
        // redis-check-aof 7.0's readString: len > LONG_MAX - 2 is "not in the suitable range".
        string file = Write("appendonly.aof", SetKV + "*1\r\n$9223372036854775806\r\nab\r\n");

        (int exit, string stdout, _) = Run("check", file);

        Assert.Equal(1, exit);
        Assert.Equal(
            "Start checking Old-Style AOF\n"
            + "0x              1f: Expected to read string of 9223372036854775806 bytes, which is not in the suitable range\n"
            + $"AOF analyzed: filename={file}, size=57, ok_up_to=27, ok_up_to_line=10, diff=30\n"
            + $"AOF {file} is not valid. Use the --fix option to try fixing it.\n",
            stdout);
    }

    // ------------------------------------------------------------ point 10: manifests

    [Fact]
    public void AManifestWithTwoBasesIsRefusedWithRedisWords()
    {
        Directory.CreateDirectory(Path.Combine(dir, "appendonlydir"));
        Write("appendonlydir/appendonly.aof.1.base.aof", SetKV);
        Write("appendonlydir/appendonly.aof.2.base.aof", SetAB);
        Write("appendonlydir/appendonly.aof.manifest", "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.2.base.aof seq 2 type b\n");

        (int exit, string stdout, string stderr) = Run("load", Path.Combine(dir, "appendonlydir"), "--dump");

        Assert.Equal(1, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal("Found duplicate base file information at line 2\n", stderr);
    }

    [Fact]
    public void AManifestWithIncrFilesOutOfOrderIsRefusedWithRedisWords()
    {
        Directory.CreateDirectory(Path.Combine(dir, "appendonlydir"));
        Write("appendonlydir/appendonly.aof.1.base.aof", SetKV);
        Write("appendonlydir/appendonly.aof.1.incr.aof", SetAB);
        Write("appendonlydir/appendonly.aof.2.incr.aof", SetAB);
        Write(
            "appendonlydir/appendonly.aof.manifest",
            "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.1.incr.aof seq 1 type i\n");

        (int exit, _, string stderr) = Run("load", Path.Combine(dir, "appendonlydir"));

        Assert.Equal(1, exit);
        Assert.Equal("Found a non-monotonic sequence number at line 3\n", stderr);
    }

    [Fact]
    public void AManifestSequenceTooBigForALongSaturatesAsRedissAtollDoes()
    {
        // Redis 7's manifest reader takes seq with atoll, which saturates: redis-check-aof 7.0.15
        // calls this manifest valid, and so does the loader here.
        Directory.CreateDirectory(Path.Combine(dir, "appendonlydir"));
        Write("appendonlydir/appendonly.aof.1.base.aof", SetKV);
        Write("appendonlydir/appendonly.aof.manifest", "file appendonly.aof.1.base.aof seq 99999999999999999999 type b\n");

        (int exit, string stdout, string stderr) = Run("load", Path.Combine(dir, "appendonlydir"), "--dump");

        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, stderr);
        Assert.Equal("{\"db\":0,\"key\":\"k\",\"type\":\"string\",\"expireAt\":null,\"value\":\"v\"}\n", stdout);
    }

    // ------------------------------------------------------------ point 7: numeric options

    [Theory]
    [InlineData("--jobs must be 1..1024, not 0", "run", "--jobs", "0")]
    [InlineData("--jobs must be 1..1024, not -4", "run", "--jobs", "-4")]
    [InlineData("--jobs must be 1..1024, not 1025", "run", "--jobs", "1025", "--seed", "1")]
    [InlineData("--jobs must be 1..1024, not 0", "run", "--exhaustive", "--seed", "1", "--jobs", "0")]
    [InlineData("--shrink-budget must be at least 1, not 0", "run", "--shrink-budget", "0")]
    [InlineData("--ops must be at least 1, not 0", "run", "--ops", "0")]
    [InlineData("--ops must be at least 1, not -3", "replay", "--seed", "1", "--ops", "-3")]
    [InlineData("--power-loss-after must be at least 1, not 0", "run", "--power-loss-after", "0")]
    [InlineData("--crash-variant must be at least 0, not -1", "replay", "--seed", "1", "--crash-variant", "-1")]
    [InlineData("--auto-aof-rewrite-min-size must be at least 0, not -5", "serve", "--auto-aof-rewrite-min-size", "-5")]
    [InlineData("--port must be 0..65535, not 65536", "serve", "--port", "65536")]
    [InlineData("--port must be 0..65535, not -1", "serve", "--port", "-1")]
    [InlineData("--commands must be at least 1, not 0", "bench", "--commands", "0")]
    [InlineData("--runs must be at least 1, not -2", "bench", "--runs", "-2")]
    [InlineData("--seeds must be at least 1, not 0", "bench", "sim", "--seeds", "0")]
    [InlineData("--warmup must be at least 0, not -1", "bench", "sim", "--warmup", "-1")]
    [InlineData("--runs must be at least 1, not 0", "bench", "sim", "--runs", "0")]
    [InlineData("--ops must be at least 1, not 0", "bench", "sim", "--ops", "0")]
    [InlineData("Cannot parse argument '5000000000' for option '--jobs'", "run", "--jobs", "5000000000")]
    [InlineData("--jobs must be a comma list of numbers 1..1024, not '2,0'", "bench", "sim", "--jobs", "2,0")]
    public void ANumericOptionOutOfRangeIsOneLineAndExitTwo(string message, params string[] args)
    {
        (int exit, string stdout, string stderr) = Run(args);

        Assert.Equal(2, exit);
        Assert.Equal(string.Empty, stdout);
        Assert.Single(Lines(stderr));
        Assert.StartsWith("aofsim: " + message, stderr, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------ point 6: a FIFO

    [Fact]
    public void CheckOfAFifoReadsItToItsEndAndCountsItsSize()
    {
        string fifo = MakeFifo("pipe.aof");

        (int exit, string stdout, _) = RunWithWriter(fifo, SetKV + SetAB, "check", fifo);

        Assert.Equal(0, exit);
        Assert.Equal(
            "Start checking Old-Style AOF\n"
            + $"AOF analyzed: filename={fifo}, size=54, ok_up_to=54, ok_up_to_line=15, diff=0\n"
            + $"AOF {fifo} is valid\n",
            stdout);
    }

    [Fact]
    public void CheckOfADamagedFifoIsNotValidAndFixCannotTruncateIt()
    {
        string fifo = MakeFifo("pipe.aof");

        (int exit, string stdout, _) = RunWithWriter(fifo, SetKV + "*3\r\n$3\r\nSET\r\n$1\r\nk", "check", "--fix", fifo);

        Assert.Equal(1, exit);
        Assert.Equal(
            "Start checking Old-Style AOF\n"
            + "0x              2c: Expected to read 3 bytes, got 1 bytes\n"
            + $"AOF analyzed: filename={fifo}, size=45, ok_up_to=27, ok_up_to_line=12, diff=18\n"
            + $"This will shrink the AOF {fifo} from 45 bytes, with 18 bytes, to 27 bytes\n"
            + $"Failed to truncate AOF {fifo}\n",
            stdout);
    }

    [Fact]
    public void LoadOfAFifoLoadsAValidAof()
    {
        string fifo = MakeFifo("pipe.aof");

        (int exit, string stdout, string stderr) = RunWithWriter(fifo, SetKV + SetAB, "load", fifo, "--dump");

        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, stderr);
        Assert.Equal(
            "{\"db\":0,\"key\":\"a\",\"type\":\"string\",\"expireAt\":null,\"value\":\"b\"}\n"
            + "{\"db\":0,\"key\":\"k\",\"type\":\"string\",\"expireAt\":null,\"value\":\"v\"}\n",
            stdout);
    }

    [Fact]
    public void LoadOfAFifoCutShortIsUnexpectedEof()
    {
        string fifo = MakeFifo("pipe.aof");

        (int exit, _, string stderr) = RunWithWriter(fifo, SetKV + "*3\r\n$3\r\nSET\r\n$1\r\nk", "load", fifo);

        Assert.Equal(1, exit);
        Assert.Equal(UnexpectedEof + "\n", stderr);
    }

    // ------------------------------------------------------------ point 6: a growing file

    [Fact]
    public void CheckOfAFileThatGrewWhileReadIsValidWithANegativeDiff()
    {
        string file = Write("appendonly.aof", SetKV);
        var fs = new GrowingFileSystem(file, Encoding.Latin1.GetBytes(SetAB));
        (int exit, string stdout) = RunCheck(fs, file, fix: false);

        Assert.Equal(1, fs.Appended);
        Assert.Equal(0, exit);
        Assert.Equal(
            "Start checking Old-Style AOF\n"
            + $"AOF analyzed: filename={file}, size=27, ok_up_to=54, ok_up_to_line=15, diff=-27\n"
            + $"AOF {file} is valid\n",
            stdout);
    }

    [Fact]
    public void CheckFixOfAFileThatGrewWhileReadLeavesItWhole()
    {
        string file = Write("appendonly.aof", SetKV);
        var fs = new GrowingFileSystem(file, Encoding.Latin1.GetBytes(SetAB));
        (int exit, string stdout) = RunCheck(fs, file, fix: true);

        Assert.Equal(0, exit);
        Assert.EndsWith($"AOF {file} is valid\n", stdout, StringComparison.Ordinal);
        Assert.Equal(SetKV + SetAB, Encoding.Latin1.GetString(File.ReadAllBytes(file)));
    }

    [Fact]
    public void CheckOfAFileWhoseLastCommandWasCompletedWhileReadIsValid()
    {
        // The size was taken with the writer halfway through the second command.
        string file = Write("appendonly.aof", SetKV + SetAB[..10]);
        var fs = new GrowingFileSystem(file, Encoding.Latin1.GetBytes(SetAB[10..]));
        (int exit, string stdout) = RunCheck(fs, file, fix: true);

        Assert.Equal(0, exit);
        Assert.Contains("size=37, ok_up_to=54, ok_up_to_line=15, diff=-17\n", stdout, StringComparison.Ordinal);
        Assert.Equal(54, new FileInfo(file).Length);
    }

    [Fact]
    public void LoadOfAFileWhoseLastCommandWasCompletedWhileReadLoadsIt()
    {
        string file = Write("appendonly.aof", SetKV + SetAB[..10]);
        var fs = new GrowingFileSystem(file, Encoding.Latin1.GetBytes(SetAB[10..]));
        var data = new Dataset();
        LoadResult r;
        using (Stream input = fs.File.OpenRead(file))
        {
            r = AofLoader.Load(input, input.Length, data, Engine.Profiles.Profile.Fixed, new LoadOptions());
        }

        string stdout = string.Concat(DatasetDump.Lines(data, 0).Select(l => l + "\n"));

        Assert.Equal(1, fs.Appended);
        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(
            "{\"db\":0,\"key\":\"a\",\"type\":\"string\",\"expireAt\":null,\"value\":\"b\"}\n"
            + "{\"db\":0,\"key\":\"k\",\"type\":\"string\",\"expireAt\":null,\"value\":\"v\"}\n",
            stdout);
    }

    // ------------------------------------------------------------ helpers

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int SysMkfifo(string path, uint mode);

    private string MakeFifo(string name)
    {
        string path = Path.Combine(dir, name);
        Assert.True(SysMkfifo(path, 0x180) == 0, $"mkfifo failed: errno {Marshal.GetLastPInvokeError()}");
        return path;
    }

    // Runs the verb while a writer task fills the FIFO and closes it (the reader sees EOF then).
    // The writer's open blocks until the verb opens the FIFO for reading; the wait on it is a
    // bound against a verb that never opens it, not a synchronisation.
    private static (int Exit, string Stdout, string Stderr) RunWithWriter(string fifo, string content, params string[] args)
    {
        Task writer = Task.Run(() =>
        {
            using var w = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            w.Write(Encoding.Latin1.GetBytes(content));
        });
        (int, string, string) result = Run(args);
        Assert.True(writer.Wait(TimeSpan.FromSeconds(30)), "the FIFO's writer never finished");
        return result;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args) => AofsimProcess.Capture(args);

    // redis-check-aof's run as the check verb makes it, on a file system the test controls.
    private static (int Exit, string Stdout) RunCheck(IFileSystem fs, string file, bool fix)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        int exit = AofCheckRun.Run(stdout, fs, file, file, fix);
        return (exit, stdout.ToString());
    }

    private string Write(string relative, string content)
    {
        string path = Path.Combine(dir, relative);
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(content));
        return path;
    }
}
