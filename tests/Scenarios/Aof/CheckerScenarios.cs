using AofSim.Engine.Aof;
using static AofSim.Scenarios.Aof.AofText;

namespace AofSim.Scenarios.Aof;

/// <summary>
/// redis-check-aof 7.0's checkSingleAof on one old-style AOF: ok_up_to (the start of the first
/// command that is not whole, or of the open MULTI), ok_up_to_line (1 + every CRLF consumed by
/// readLong/readString; annotation lines are not counted), the error line with its
/// "0x%16llx" offset, and the report. Offsets and line numbers are counted by hand.
/// </summary>
public sealed class CheckerScenarios
{
    // 23 bytes, 5 line ends.
    private const string Select0 = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n";

    // 27 bytes, 7 line ends.
    private const string SetKV = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";

    // 27 bytes, 7 line ends.
    private const string SetA1 = "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n";

    // 15 bytes, 3 line ends.
    private const string Multi = "*1\r\n$5\r\nMULTI\r\n";

    // 14 bytes, 3 line ends.
    private const string Exec = "*1\r\n$4\r\nEXEC\r\n";

    [Fact]
    public void AValidFileIsValidUpToItsLastByte()
    {
        CheckResult r = AofChecker.Check(Bytes(Select0 + SetKV));

        Assert.Equal(50, r.Size);
        Assert.Equal(50, r.OkUpTo);
        Assert.Equal(13, r.OkUpToLine); // 1 + 5 + 7
        Assert.Null(r.Error);
        Assert.False(r.FormatError);
        Assert.Equal(0, r.Diff);
        Assert.True(r.Valid);
    }

    [Fact]
    public void AValidFileReportsValidAndExitsZero()
    {
        (IReadOnlyList<string> lines, int exit) = AofChecker.Check(Bytes(Select0 + SetKV)).Report("appendonly.aof");

        Assert.Equal(0, exit);
        Assert.Equal(
            [
                "Start checking Old-Style AOF",
                "AOF analyzed: filename=appendonly.aof, size=50, ok_up_to=50, ok_up_to_line=13, diff=0",
                "AOF appendonly.aof is valid",
            ],
            lines);
    }

    [Fact]
    public void AClosedTransactionIsValid()
    {
        // 15 + 27 + 14 = 56 bytes; 1 + 3 + 7 + 3 = 14.
        CheckResult r = AofChecker.Check(Bytes(Multi + SetA1 + Exec));

        Assert.True(r.Valid);
        Assert.Equal(56, r.OkUpTo);
        Assert.Equal(14, r.OkUpToLine);
        Assert.Null(r.Error);
    }

    [Fact]
    public void AFileCutInsideABulkIsValidUpToTheCutCommand()
    {
        // SET k v (27) + "*3 $3 SET $1 k $5 va" (26): the 7-byte read ("val" + CRLF) starts at 51 = 0x33.
        CheckResult r = AofChecker.Check(Bytes(SetKV + "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nva"));

        Assert.Equal(53, r.Size);
        Assert.Equal(27, r.OkUpTo);
        Assert.Equal(14, r.OkUpToLine); // 8 after SET k v, then *3, $3, SET, $1, k, $5
        Assert.Equal("0x              33: Expected to read 7 bytes, got 2 bytes", r.Error);
        Assert.Equal(26, r.Diff);
        Assert.False(r.Valid);
    }

    [Fact]
    public void ADamagedFileReportsItsErrorAndExitsOne()
    {
        (IReadOnlyList<string> lines, int exit) = AofChecker.Check(Bytes(SetKV + "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nva")).Report("appendonly.aof");

        Assert.Equal(1, exit);
        Assert.Equal(
            [
                "Start checking Old-Style AOF",
                "0x              33: Expected to read 7 bytes, got 2 bytes",
                "AOF analyzed: filename=appendonly.aof, size=53, ok_up_to=27, ok_up_to_line=14, diff=26",
                "AOF appendonly.aof is not valid. Use the --fix option to try fixing it.",
            ],
            lines);
    }

    [Fact]
    public void AFileCutRightAfterACountLineHasNoErrorLine()
    {
        // readLong's fgets returns NULL: failure without ERROR().
        CheckResult r = AofChecker.Check(Bytes(SetKV + "*3\r\n"));

        Assert.Equal(31, r.Size);
        Assert.Equal(27, r.OkUpTo);
        Assert.Equal(9, r.OkUpToLine);
        Assert.Null(r.Error);
        Assert.False(r.FormatError);
        Assert.Equal(4, r.Diff);
    }

    [Fact]
    public void AFileCutRightAfterACountLineReportsOnlyTheSummary()
    {
        (IReadOnlyList<string> lines, int exit) = AofChecker.Check(Bytes(SetKV + "*3\r\n")).Report("a.aof");

        Assert.Equal(1, exit);
        Assert.Equal(
            [
                "Start checking Old-Style AOF",
                "AOF analyzed: filename=a.aof, size=31, ok_up_to=27, ok_up_to_line=9, diff=4",
                "AOF a.aof is not valid. Use the --fix option to try fixing it.",
            ],
            lines);
    }

    [Fact]
    public void APartialLengthLineIsAMissingCrLfAtItsStart()
    {
        // fgets returns "$3"; strtol stops at the NUL; consumeNewline sees "\0": "0000". The line starts at 31 = 0x1f.
        CheckResult r = AofChecker.Check(Bytes(SetKV + "*3\r\n$3"));

        Assert.Equal(33, r.Size);
        Assert.Equal(27, r.OkUpTo);
        Assert.Equal(9, r.OkUpToLine);
        Assert.Equal("0x              1f: Expected \\r\\n, got: 0000", r.Error);
    }

    [Fact]
    public void AMissingFinalCrLfIsAShortRead()
    {
        // The last bulk wants 3 bytes ("v" + CRLF) at 51 = 0x33 and gets 1.
        CheckResult r = AofChecker.Check(Bytes(SetKV + "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv"));

        Assert.Equal(52, r.Size);
        Assert.Equal(27, r.OkUpTo);
        Assert.Equal(14, r.OkUpToLine);
        Assert.Equal("0x              33: Expected to read 3 bytes, got 1 bytes", r.Error);
    }

    [Fact]
    public void TwoOtherBytesInsteadOfCrLfAreShownInHex()
    {
        // "*1 $4 PINGXY": the 6-byte read starts at 8; "XY" is 58 59.
        CheckResult r = AofChecker.Check(Bytes("*1\r\n$4\r\nPINGXY"));

        Assert.Equal(0, r.OkUpTo);
        Assert.Equal(3, r.OkUpToLine);
        Assert.Equal("0x               8: Expected \\r\\n, got: 5859", r.Error);
        Assert.False(r.Valid);
    }

    [Fact]
    public void HighBytesInsteadOfCrLfPrintAsSignExtendedChars()
    {
        // printf("%02x", (char)0xff) on x86 prints ffffffff.
        CheckResult r = AofChecker.Check(Bytes("*1\r\n$4\r\nPING\u00ff\u00fe"));

        Assert.Equal("0x               8: Expected \\r\\n, got: fffffffffffffffe", r.Error);
    }

    [Fact]
    public void ACountLineEndingInLfAloneIsAMissingCrLf()
    {
        // strtol stops at "\n": consumeNewline prints 0a and the NUL after it.
        CheckResult r = AofChecker.Check(Bytes("*1\n$4\r\nPING\r\n"));

        Assert.Equal(0, r.OkUpTo);
        Assert.Equal(1, r.OkUpToLine);
        Assert.Equal("0x               0: Expected \\r\\n, got: 0a00", r.Error);
    }

    [Fact]
    public void AGarbageLineIsAFormatErrorWithoutAnErrorLine()
    {
        // 27 + 9 = 36 bytes.
        CheckResult r = AofChecker.Check(Bytes(SetKV + "garbage\r\n"));

        Assert.True(r.FormatError);
        Assert.Null(r.Error);
        Assert.Equal(36, r.Size);
        Assert.Equal(27, r.OkUpTo);
        Assert.Equal(8, r.OkUpToLine);
        Assert.Equal(9, r.Diff);
    }

    [Fact]
    public void AGarbageLineReportsFormatError()
    {
        (IReadOnlyList<string> lines, int exit) = AofChecker.Check(Bytes(SetKV + "garbage\r\n")).Report("appendonly.aof");

        Assert.Equal(1, exit);
        Assert.Equal(
            [
                "Start checking Old-Style AOF",
                "AOF appendonly.aof format error",
                "AOF analyzed: filename=appendonly.aof, size=36, ok_up_to=27, ok_up_to_line=8, diff=9",
                "AOF appendonly.aof is not valid. Use the --fix option to try fixing it.",
            ],
            lines);
    }

    [Fact]
    public void AnEmptyLineBetweenCommandsIsAFormatError()
    {
        CheckResult r = AofChecker.Check(Bytes(SetKV + "\r\n" + SetKV));

        Assert.True(r.FormatError);
        Assert.Equal(56, r.Size);
        Assert.Equal(27, r.OkUpTo);
        Assert.Equal(8, r.OkUpToLine);
        Assert.Equal(29, r.Diff);
    }

    [Fact]
    public void AnEmptyLineWhereALengthIsDueIsAWrongPrefix()
    {
        // fgets reads "\r\n" at 4: "Expected prefix '$', got: '\r'" (%c prints the CR itself).
        CheckResult r = AofChecker.Check(Bytes("*1\r\n\r\n$4\r\nPING\r\n"));

        Assert.Equal(0, r.OkUpTo);
        Assert.Equal(2, r.OkUpToLine);
        Assert.Equal("0x               4: Expected prefix '$', got: '\r'", r.Error);
        Assert.False(r.FormatError);
    }

    [Fact]
    public void ACountLargerThanTheArgumentsRunsIntoTheNextCommand()
    {
        // *2 PING, then *1 PING: the second "argument" line is "*1" at 14 = 0xe.
        CheckResult r = AofChecker.Check(Bytes("*2\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n"));

        Assert.Equal(0, r.OkUpTo);
        Assert.Equal(4, r.OkUpToLine);
        Assert.Equal("0x               e: Expected prefix '$', got: '*'", r.Error);
    }

    [Fact]
    public void AMultiWithoutExecIsValidOnlyUpToTheMulti()
    {
        // SET k v (27), MULTI (15), SET a 1 (27): pos stays at 27 inside the MULTI; the last
        // epos is the read of "1\r\n" at 27 + 15 + 24 = 66 = 0x42.
        CheckResult r = AofChecker.Check(Bytes(SetKV + Multi + SetA1));

        Assert.Equal(69, r.Size);
        Assert.Equal(27, r.OkUpTo);
        Assert.Equal(18, r.OkUpToLine); // 1 + 7 + 3 + 7
        Assert.Equal("0x              42: Reached EOF before reading EXEC for MULTI", r.Error);
        Assert.Equal(42, r.Diff);
    }

    [Fact]
    public void AnExecWithoutMultiStopsAtTheExec()
    {
        // The EXEC payload is read at 8; redis-check-aof 7.0: ERROR("Unexpected EXEC in AOF %s", filename).
        CheckResult r = AofChecker.Check(Bytes(Exec));

        Assert.Equal(14, r.Size);
        Assert.Equal(0, r.OkUpTo);
        Assert.Equal(4, r.OkUpToLine);
        Assert.Equal("0x               8: Unexpected EXEC in AOF appendonly.aof", r.Error);
        Assert.False(r.Valid);
    }

    [Fact]
    public void AnUnexpectedExecNamesTheFileAsGiven()
    {
        CheckResult r = AofChecker.Check(Bytes(SetKV + Exec), "/var/lib/redis/my.aof");

        // SET k v is 27 bytes, so the EXEC payload is read at 27 + 8 = 35 = 0x23.
        Assert.Equal("0x              23: Unexpected EXEC in AOF /var/lib/redis/my.aof", r.Error);
        Assert.Equal(27, r.OkUpTo);
        Assert.Equal(11, r.OkUpToLine); // 1 + 7 + 3
        (IReadOnlyList<string> lines, int exit) = r.Report("/var/lib/redis/my.aof");
        Assert.Equal(1, exit);
        Assert.Equal(
            [
                "Start checking Old-Style AOF",
                "0x              23: Unexpected EXEC in AOF /var/lib/redis/my.aof",
                "AOF analyzed: filename=/var/lib/redis/my.aof, size=41, ok_up_to=27, ok_up_to_line=11, diff=14",
                "AOF /var/lib/redis/my.aof is not valid. Use the --fix option to try fixing it.",
            ],
            lines);
    }

    [Fact]
    public void ANestedMultiStopsAtTheSecondMulti()
    {
        // Second MULTI's payload at 15 + 8 = 23 = 0x17; pos stayed at the first MULTI.
        CheckResult r = AofChecker.Check(Bytes(Multi + Multi), "a.aof");

        Assert.Equal(30, r.Size);
        Assert.Equal(0, r.OkUpTo);
        Assert.Equal(7, r.OkUpToLine);
        Assert.Equal("0x              17: Unexpected MULTI in AOF a.aof", r.Error);
    }

    [Fact]
    public void AMultiAfterAClosedTransactionIsNotNested()
    {
        // MULTI SET EXEC MULTI SET EXEC: 2 * 56 = 112 bytes; 1 + 2 * 13 lines.
        CheckResult r = AofChecker.Check(Bytes(Multi + SetA1 + Exec + Multi + SetA1 + Exec));

        Assert.True(r.Valid);
        Assert.Equal(112, r.OkUpTo);
        Assert.Equal(27, r.OkUpToLine);
    }

    [Fact]
    public void AZeroCountCommandIsValidForCheckAof()
    {
        // The loader refuses *0; redis-check-aof reads no argument and goes on.
        CheckResult r = AofChecker.Check(Bytes("*0\r\n"));

        Assert.True(r.Valid);
        Assert.Equal(4, r.OkUpTo);
        Assert.Equal(2, r.OkUpToLine);
        Assert.Null(r.Error);
    }

    [Fact]
    public void ANegativeLengthIsOutOfRange()
    {
        CheckResult r = AofChecker.Check(Bytes("*1\r\n$-1\r\n"));

        Assert.Equal(0, r.OkUpTo);
        Assert.Equal(3, r.OkUpToLine);
        Assert.Equal("0x               4: Expected to read string of -1 bytes, which is not in the suitable range", r.Error);
    }

    [Fact]
    public void AHugeLengthIsAShortReadWithoutAllocatingIt()
    {
        // $99999999999 at 4; the payload read starts at 4 + 14 = 18 = 0x12 and finds 6 bytes.
        CheckResult r = AofChecker.Check(Bytes("*1\r\n$99999999999\r\nPING\r\n"));

        Assert.Equal(0, r.OkUpTo);
        Assert.Equal("0x              12: Expected to read 100000000001 bytes, got 6 bytes", r.Error);
    }

    [Fact]
    public void TimestampAnnotationsAreSkippedAndNotCountedAsLines()
    {
        // 16 + 27 + 16 + 27 = 86 bytes; only the RESP line ends count: 1 + 7 + 7.
        CheckResult r = AofChecker.Check(Bytes("#TS:1700000000\r\n" + SetKV + "#TS:1700000001\r\n" + SetKV));

        Assert.True(r.Valid);
        Assert.Equal(86, r.OkUpTo);
        Assert.Equal(15, r.OkUpToLine);
    }

    [Fact]
    public void AZeroLengthFileIsEmptyAndValid()
    {
        CheckResult r = AofChecker.Check(ReadOnlySpan<byte>.Empty);

        Assert.Equal(0, r.Size);
        Assert.Equal(0, r.OkUpTo);
        Assert.Equal(1, r.OkUpToLine);
        Assert.True(r.Valid);
        (IReadOnlyList<string> lines, int exit) = r.Report("appendonly.aof");
        Assert.Equal(0, exit);
        Assert.Equal(["Start checking Old-Style AOF", "AOF appendonly.aof is empty"], lines);
    }

    [Fact]
    public void CheckingAStreamGivesTheSameResultAsCheckingBytes()
    {
        byte[] aof = Bytes(SetKV + Multi + SetA1);
        using var stream = new MemoryStream(aof);

        CheckResult r = AofChecker.Check(stream, aof.Length);

        Assert.Equal(27, r.OkUpTo);
        Assert.Equal(18, r.OkUpToLine);
        Assert.Equal("0x              42: Reached EOF before reading EXEC for MULTI", r.Error);
    }

    [Fact]
    public void ANestedMultiStopsThereAndTheExecAfterItIsNeverRead()
    {
        // redis-check-aof 7.0.15 on MULTI MULTI EXEC (44 bytes): the error is the second MULTI
        // (payload at 0x17), not an "Unexpected EXEC" from reading on; ok_up_to_line 1 + 3 + 3.
        CheckResult r = AofChecker.Check(Bytes(Multi + Multi + Exec), "nested.aof");

        Assert.Equal(44, r.Size);
        Assert.Equal(0, r.OkUpTo);
        Assert.Equal(7, r.OkUpToLine);
        Assert.Equal("0x              17: Unexpected MULTI in AOF nested.aof", r.Error);
    }

    [Fact]
    public void ANulWhereAPrefixIsDueEndsTheErrorMessageThere()
    {
        // %c prints the NUL into the buffer and %s copies up to it: redis-check-aof 7.0.15
        // prints "Expected prefix '$', got: '" and nothing more.
        CheckResult r = AofChecker.Check(Bytes("*1\r\n\0\r\n$4\r\nPING\r\n"));

        Assert.Equal(0, r.OkUpTo);
        Assert.Equal(2, r.OkUpToLine);
        Assert.Equal("0x               4: Expected prefix '$', got: '", r.Error);
    }

    [Fact]
    public void StrtolSkipsEveryKindOfLeadingWhitespaceInACount()
    {
        // strtol skips isspace(): space, \t, \v, \f before the digits. redis-check-aof 7.0.15
        // calls this 20-byte file valid.
        CheckResult r = AofChecker.Check(Bytes("* \t\v\f1\r\n$\t 4\r\nPING\r\n"));

        Assert.True(r.Valid);
        Assert.Equal(20, r.OkUpTo);
        Assert.Equal(4, r.OkUpToLine);
        Assert.Null(r.Error);
    }

    [Fact]
    public void ACountOfOnlyWhitespaceLeavesStrtolWhereItStarted()
    {
        // "*  \r\n": strtol skips the spaces and the CRLF, finds no digit and so sets eptr back
        // to just after the '*'; consumeNewline sees two spaces. As redis-check-aof 7.0.15.
        CheckResult r = AofChecker.Check(Bytes("*1\r\n$4\r\nPING\r\n*  \r\n"));

        Assert.Equal(19, r.Size);
        Assert.Equal(14, r.OkUpTo);
        Assert.Equal(4, r.OkUpToLine);
        Assert.Equal("0x               e: Expected \\r\\n, got: 2020", r.Error);
    }
}
