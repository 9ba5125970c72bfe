using System.Diagnostics;
using System.IO.Abstractions.TestingHelpers;
using System.Text;
using AofSim.Engine.Aof;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using AofSim.Scenarios.Interop;
using AofSim.Scenarios.Server;
using static AofSim.Scenarios.Server.ServerHarness;

namespace AofSim.Scenarios.RedisTcl;

/// <summary>
/// Redis 2.6's tests/integration/aof.tcl (unchanged from 2.6.0 to 2.6.17), test by test, against
/// the engine in-process and its checker; where the Tcl test runs redis-check-aof, the installed
/// redis-check-aof 7.0.15 too. Each AOF is built as the Tcl test builds it (formatCommand, lower
/// case verbs). The seed is 2.6, so every start is under <c>redis26</c> unless a test says why.
/// </summary>
public sealed class AofTclScenarios
{
    // create_aof for the unfinished MULTI test: set foo hello, multi, set bar world (no exec).
    private static readonly string UnfinishedMulti = Resp("set", "foo", "hello") + Resp("multi") + Resp("set", "bar", "world");

    // create_aof for the short read test: set foo hello, then set bar world without its last byte
    // (Tcl's [string range ... 0 end-1] drops the final "\n").
    private static readonly string ShortRead = Resp("set", "foo", "hello") + Resp("set", "bar", "world")[..^1];

    [Fact]
    [Trait("tcl", "aof.tcl: Unfinished MULTI: Server should have logged an error")]
    public void UnfinishedMultiServerShouldHaveLoggedAnError()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec, existingAof: UnfinishedMulti);

        // The seed: "if (fakeClient->flags & REDIS_MULTI) goto readerr;" then exit(1). The Tcl
        // test matches the last line of the log.
        Assert.Equal("Unexpected end of file reading the append only file", h.Messages[^1]);
        Assert.NotNull(h.Core.Stopped);
        Assert.Equal(1, h.Core.Stopped!.ExitCode);
    }

    [Fact]
    [Trait("tcl", "aof.tcl: Short read: Server should have logged an error")]
    public void ShortReadServerShouldHaveLoggedAnError()
    {
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec, existingAof: ShortRead);

        // The seed reads the bulk, then fread(buf,2,1) of its CRLF finds one byte: goto fmterr.
        Assert.StartsWith("Bad file format reading the append only file", h.Messages[^1], StringComparison.Ordinal);
        Assert.NotNull(h.Core.Stopped);
        Assert.Equal(1, h.Core.Stopped!.ExitCode);
    }

    [Fact]
    [Trait("tcl", "aof.tcl: Short read: Utility should confirm the AOF is not valid")]
    public void ShortReadUtilityShouldConfirmTheAofIsNotValid()
    {
        (int exit, string output, _) = EngineCheck(ShortRead, fix: false);

        Assert.Contains("not valid", output, StringComparison.Ordinal);
        Assert.Equal(1, exit);
    }

    [Fact]
    [Trait("tcl", "aof.tcl: Short read: Utility should be able to fix the AOF")]
    public void ShortReadUtilityShouldBeAbleToFixTheAof()
    {
        (int exit, string output, string fixedAof) = EngineCheck(ShortRead, fix: true);

        Assert.Contains("Successfully truncated AOF", output, StringComparison.Ordinal);
        Assert.Equal(0, exit);

        // Cut at the start of the command that is not whole: the first SET stays, whole.
        Assert.Equal(Resp("set", "foo", "hello"), fixedAof);
    }

    [RedisFact]
    [Trait("tcl", "aof.tcl: Short read: Utility should confirm the AOF is not valid")]
    [Trait("tcl", "aof.tcl: Short read: Utility should be able to fix the AOF")]
    public void ShortReadRealRedisCheckAofAgreesWithTheEngineChecker()
    {
        using var dir = new TempDir("aofsim-tcl-");
        string path = Path.Combine(dir.Path, "appendonly.aof");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(ShortRead));

        (int checkExit, string checkOut) = RealCheckAof(path, fix: false);
        Assert.Contains("not valid", checkOut, StringComparison.Ordinal);
        Assert.Equal(1, checkExit);

        (int fixExit, string fixOut) = RealCheckAof(path, fix: true);
        Assert.Contains("Successfully truncated AOF", fixOut, StringComparison.Ordinal);
        Assert.Equal(0, fixExit);

        // The same verdict, the same analysis line and the same bytes left as the engine's checker.
        (_, string engineOut, string engineFixed) = EngineCheck(ShortRead, fix: true);
        string Analyzed(string text) => text.Split('\n').Single(l => l.StartsWith("AOF analyzed:", StringComparison.Ordinal)).Replace(path, "appendonly.aof", StringComparison.Ordinal).TrimEnd();
        Assert.Equal(Analyzed(engineOut), Analyzed(fixOut));
        Assert.Equal(engineFixed, Encoding.Latin1.GetString(File.ReadAllBytes(path)));
    }

    [Fact]
    [Trait("tcl", "aof.tcl: Fixed AOF: Server should have been started")]
    public void FixedAofServerShouldHaveBeenStarted()
    {
        (_, _, string fixedAof) = EngineCheck(ShortRead, fix: true);
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec, existingAof: fixedAof);

        Assert.Null(h.Core.Stopped);
        Assert.Equal("+PONG\r\n", h.Call("PING"));
    }

    [Fact]
    [Trait("tcl", "aof.tcl: Fixed AOF: Keyspace should contain values that were parsable")]
    public void FixedAofKeyspaceShouldContainValuesThatWereParsable()
    {
        (_, _, string fixedAof) = EngineCheck(ShortRead, fix: true);
        var h = new ServerHarness(Profile.Redis26, AppendFsync.Everysec, existingAof: fixedAof);

        Assert.Equal("$5\r\nhello\r\n", h.Call("GET foo"));
        Assert.Equal("$-1\r\n", h.Call("GET bar"));
    }

    [Theory]
    [MemberData(nameof(BothProfiles))]
    [Trait("tcl", "aof.tcl: AOF+SPOP: Server should have been started")]
    public void AofSpopServerShouldHaveBeenStarted(string profile)
    {
        var h = new ServerHarness(P(profile), AppendFsync.Everysec, existingAof: SpopAof);

        Assert.Null(h.Core.Stopped);
        Assert.Equal("+PONG\r\n", h.Call("PING"));
    }

    [Theory]
    [MemberData(nameof(BothProfiles))]
    [Trait("tcl", "aof.tcl: AOF+SPOP: Set should have 1 member")]
    public void AofSpopSetShouldHaveOneMember(string profile)
    {
        var h = new ServerHarness(P(profile), AppendFsync.Everysec, existingAof: SpopAof);

        Assert.Equal(":1\r\n", h.Call("SCARD set"));
    }

    [Theory]
    [MemberData(nameof(BothProfiles))]
    [Trait("tcl", "aof.tcl: AOF+EXPIRE: Server should have been started")]
    public void AofExpireServerShouldHaveBeenStarted(string profile)
    {
        var h = new ServerHarness(P(profile), AppendFsync.Everysec, existingAof: ExpireAof);

        Assert.Null(h.Core.Stopped);
        Assert.Equal("+PONG\r\n", h.Call("PING"));
    }

    [Theory]
    [MemberData(nameof(BothProfiles))]
    [Trait("tcl", "aof.tcl: AOF+EXPIRE: List should be empty")]
    public void AofExpireListShouldBeEmpty(string profile)
    {
        // EXPIREAT 1000 is long past: while loading the key is not expired (RPUSH appends to
        // it), once loaded it is.
        var h = new ServerHarness(P(profile), AppendFsync.Everysec, existingAof: ExpireAof);

        Assert.Equal(":0\r\n", h.Call("LLEN list"));
    }

    [Theory]
    [MemberData(nameof(BothProfiles))]
    [Trait("tcl", "aof.tcl: Redis should not try to convert DEL into EXPIREAT for EXPIRE -1")]
    public void RedisShouldNotTryToConvertDelIntoExpireatForExpireMinus1(string profile)
    {
        var h = new ServerHarness(P(profile), AppendFsync.Always);
        Assert.Equal("+OK\r\n", h.Call("SET x 10"));
        Assert.Equal(":1\r\n", h.Call("EXPIRE x -1"));

        // A negative TTL deletes the key and is propagated as DEL, which the feed must write as
        // it is (the 2.6 bug turned it into an EXPIREAT with a bogus time).
        Assert.EndsWith(Resp("DEL", "x"), h.Aof, StringComparison.Ordinal);
        Assert.DoesNotContain("EXPIREAT", h.Aof, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("$-1\r\n", h.Call("GET x"));

        var again = new ServerHarness(P(profile), AppendFsync.Always, existingAof: h.Aof);
        Assert.Null(again.Core.Stopped);
        Assert.Equal("$-1\r\n", again.Call("GET x"));
    }

    // ---- Tests added to aof.tcl in 3.0, for aof-load-truncated (2.8.15+): not in the seed, so
    // run under fixed, whose loader has truncated loading (LoaderShortBulkIsTruncation).

    [Fact]
    [Trait("tcl", "aof.tcl (3.0): Unfinished MULTI: Server should start if load-truncated is yes")]
    public void UnfinishedMultiServerShouldStartIfLoadTruncatedIsYes()
    {
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always, existingAof: UnfinishedMulti, aofLoadTruncated: true);

        Assert.Null(h.Core.Stopped);
        Assert.Equal("+PONG\r\n", h.Call("PING"));
    }

    [Fact]
    [Trait("tcl", "aof.tcl (3.0): Short read: Server should start if load-truncated is yes")]
    [Trait("tcl", "aof.tcl (3.0): Truncated AOF loaded: we expect foo to be equal to 5")]
    [Trait("tcl", "aof.tcl (3.0): Append a new command after loading an incomplete AOF")]
    [Trait("tcl", "aof.tcl (3.0): Short read + command: Server should start")]
    [Trait("tcl", "aof.tcl (3.0): Truncated AOF loaded: we expect foo to be equal to 6 now")]
    public void ShortReadThenACommandLoadsUnderLoadTruncated()
    {
        string aof = string.Concat(Enumerable.Repeat(Resp("incr", "foo"), 5)) + Resp("incr", "foo")[..^1];
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always, existingAof: aof, aofLoadTruncated: true);
        Assert.Null(h.Core.Stopped);
        Assert.Equal("$1\r\n5\r\n", h.Call("GET foo"));
        Assert.Equal(":6\r\n", h.Call("INCR foo"));

        // Now the AOF file is expected to be correct.
        var again = new ServerHarness(Profile.Fixed, AppendFsync.Always, existingAof: h.Aof, aofLoadTruncated: true);
        Assert.Null(again.Core.Stopped);
        Assert.Equal("$1\r\n6\r\n", again.Call("GET foo"));
    }

    [Fact]
    [Trait("tcl", "aof.tcl (3.0): Bad format: Server should have logged an error")]
    public void BadFormatServerShouldHaveLoggedAnError()
    {
        string aof = Resp("set", "foo", "hello") + "!!!" + Resp("set", "foo", "hello");
        var h = new ServerHarness(Profile.Fixed, AppendFsync.Always, existingAof: aof, aofLoadTruncated: true);

        Assert.StartsWith("Bad file format reading the append only file", h.Messages[^1], StringComparison.Ordinal);
        Assert.Equal(1, h.Core.Stopped!.ExitCode);
    }

    public static TheoryData<string> BothProfiles => new() { "redis26", "fixed" };

    private static readonly string SpopAof = Resp("sadd", "set", "foo") + Resp("sadd", "set", "bar") + Resp("spop", "set");

    private static readonly string ExpireAof = Resp("rpush", "list", "foo") + Resp("expireat", "list", "1000") + Resp("rpush", "list", "bar");

    private static Profile P(string name) => Profile.TryGet(name, out Profile p) ? p : throw new ArgumentException(name);

    /// <summary>The engine's redis-check-aof on <paramref name="aof"/>: exit, output, and the file after.</summary>
    private static (int Exit, string Output, string After) EngineCheck(string aof, bool fix)
    {
        var fs = new MockFileSystem();
        fs.AddFile("/d/appendonly.aof", new MockFileData(Encoding.Latin1.GetBytes(aof)));
        using var output = new StringWriter();
        int exit = AofCheckRun.Run(output, fs, "/d/appendonly.aof", "appendonly.aof", fix);
        return (exit, output.ToString(), Encoding.Latin1.GetString(fs.File.ReadAllBytes("/d/appendonly.aof")));
    }

    /// <summary>The real redis-check-aof (answering "y" to --fix's question, as the Tcl test does).</summary>
    private static (int Exit, string Output) RealCheckAof(string path, bool fix)
    {
        var psi = new ProcessStartInfo(RedisBinaries.CheckAof!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (fix)
        {
            psi.ArgumentList.Add("--fix");
        }

        psi.ArgumentList.Add(path);
        using Process p = Process.Start(psi)!;
        p.StandardInput.Write("y\n");
        p.StandardInput.Close();
        Task<string> err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(30_000), "redis-check-aof did not exit");
        return (p.ExitCode, stdout + err.Result);
    }
}
