using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Engine.Profiles;
using static AofSim.Scenarios.Aof.AofText;
using static AofSim.Scenarios.TestProfiles;

namespace AofSim.Scenarios.Aof;

/// <summary>
/// The loader's '*' and '$' lines, byte by byte: the seed reads them with fgets(buf,128) and
/// parses a count with atoi (a glibc <c>(int)strtol</c>) and a length with strtol; the strict
/// header of the <c>fixed</c> profile (LoaderStrictHeaders) refuses what is not marker, digits and
/// CRLF; and where a file that ends inside a header line is a format error (the seed's fmterr) or
/// an end of file (its readerr), which decides whether truncated loading may rescue it.
/// Every expected outcome is read off the seed's loadAppendOnlyFile (aof.c), as the comments say.
/// </summary>
public sealed class LoaderHeaderScenarios
{
    // 27 bytes.
    private const string SetKV = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";

    // SET k v without its count line.
    private const string SetKVArgs = "$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";

    // The seed's header parsing and stalls, and the strict header without the short-bulk fix.
    public static TheoryData<string> StallProfiles => new() { "redis26", "fixed-LoaderShortBulkIsTruncation" };

    // ------------------------------------------------------------ the end of the file inside a header

    [Theory]
    [MemberData(nameof(StallProfiles))]
    public void AFileEndingInABareCountMarkerIsAFormatError(string profile)
    {
        // fgets returns "*": atoi("") is 0, and argc < 1 goes to fmterr.
        Assert.Equal(LoadOutcome.BadFormat, Load(SetKV + "*", Named(profile)).Outcome);
    }

    [Theory]
    [InlineData("redis26", "*0")]
    [InlineData("redis26", "*-")]
    [InlineData("redis26", "*-2")]
    [InlineData("fixed-LoaderShortBulkIsTruncation", "*0")]
    [InlineData("fixed-LoaderShortBulkIsTruncation", "*-")]
    [InlineData("fixed-LoaderShortBulkIsTruncation", "*-2")]
    public void AFileEndingInACountThatIsNotPositiveIsAFormatError(string profile, string tail)
    {
        // atoi of "0", "-" or "-2" is below 1: fmterr, whatever would have followed.
        Assert.Equal(LoadOutcome.BadFormat, Load(SetKV + tail, Named(profile)).Outcome);
    }

    [Theory]
    [InlineData("redis26", "*1")]
    [InlineData("redis26", "*9")]
    [InlineData("redis26", "*3\r")]
    [InlineData("fixed-LoaderShortBulkIsTruncation", "*1")]
    [InlineData("fixed-LoaderShortBulkIsTruncation", "*9")]
    [InlineData("fixed-LoaderShortBulkIsTruncation", "*3\r")]
    public void AFileEndingInAPositiveCountIsAnUnexpectedEndOfFile(string profile, string tail)
    {
        // The count parses (1 to 9 arguments); the fgets of the first '$' line then returns
        // NULL: readerr, an unexpected end of file, which truncated loading may cut off.
        LoadResult r = Load(SetKV + tail, Named(profile));

        Assert.Equal(LoadOutcome.UnexpectedEof, r.Outcome);
        Assert.Equal(27, r.ValidUpTo);
        Assert.Equal(LoadOutcome.Truncated, Load(SetKV + tail, Named(profile), truncated: true).Outcome);
    }

    [Theory]
    [MemberData(nameof(StallProfiles))]
    public void AFileEndingInsideALengthLineIsAFormatError(string profile)
    {
        // "$3" parses (strtol), then the fread of the bulk fails: fmterr, not readerr.
        Assert.Equal(LoadOutcome.BadFormat, Load(SetKV + "*3\r\n$3", Named(profile)).Outcome);
        Assert.Equal(LoadOutcome.BadFormat, Load(SetKV + "*3\r\n$3", Named(profile), truncated: true).Outcome);
    }

    [Fact]
    public void UnderFixedEveryEndInsideAHeaderIsAnEndOfFile()
    {
        // With LoaderShortBulkIsTruncation a cut anywhere in the last command is a truncation.
        foreach (string tail in new[] { "*", "*0", "*1", "*3\r\n$3" })
        {
            Assert.Equal(LoadOutcome.UnexpectedEof, Load(SetKV + tail, Profile.Fixed).Outcome);
        }
    }

    // ------------------------------------------------------------ the strict header (fixed)

    [Fact]
    public void AStrictCountLineOf128BytesWithoutItsLineFeedIsAFormatErrorEvenAtTheEnd()
    {
        // No header can be that long: it is refused as soon as 128 bytes hold no LF, end of
        // file or not (one byte less could still be a header cut by the end of the file).
        string longLine = "*" + new string('1', 127);

        Assert.Equal(LoadOutcome.BadFormat, Load(SetKV + longLine, Profile.Fixed).Outcome);
        Assert.Equal(LoadOutcome.UnexpectedEof, Load(SetKV + longLine[..^1], Profile.Fixed).Outcome);
    }

    [Theory]
    [InlineData("*33\n" + SetKVArgs)]
    [InlineData("*\n" + SetKVArgs)]
    [InlineData("*3\r\n$3\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")]
    public void AStrictHeaderEndingInABareLineFeedIsAFormatError(string aof)
    {
        // "*33\n" would read as a count of 3 if the byte before the LF were taken for the CR.
        LoadResult r = Load(aof, Profile.Fixed);

        Assert.Equal(LoadOutcome.BadFormat, r.Outcome);
    }

    [Fact]
    public void AStrictLengthThatIsNotANumberIsAFormatErrorNotAnEmptyArgument()
    {
        LoadResult r = Load("*1\r\n$abc\r\n\r\n", Profile.Fixed);

        Assert.Equal(LoadOutcome.BadFormat, r.Outcome);
    }

    [Theory]
    [InlineData("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nvX\n")]
    [InlineData("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\rX")]
    public void UnderFixedABulkFollowedByAnythingButCrlfIsAFormatError(string aof)
    {
        // LoaderChecksBulkCrlf: either byte wrong is enough; the seed discards both unread.
        Assert.Equal(LoadOutcome.BadFormat, Load(aof, Profile.Fixed).Outcome);
        Assert.Equal(LoadOutcome.Loaded, Load(aof, Profile.Redis26).Outcome);
    }

    // ------------------------------------------------------------ the seed's atoi and strtol

    [Fact]
    public void TheSeedReadsACountAsAnIntSoACountPastTwoToThe32WrapsAround()
    {
        // atoi("4294967299") is (int)4294967299 = 3 on glibc: SET k v.
        (LoadResult r, Dataset data) = LoadData("*4294967299\r\n" + SetKVArgs, Profile.Redis26);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.True(data[0].TryGet("k"u8, out _));
    }

    [Fact]
    public void TheSeedReadsALengthAsALongSoALengthPastTwoToThe32IsNotWrapped()
    {
        // strtol("4294967297") keeps its value (1 if it were an int): the fread fails, fmterr.
        LoadResult r = Load("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4294967297\r\nv\r\n", Profile.Redis26);

        Assert.Equal(LoadOutcome.BadFormat, r.Outcome);
    }

    [Fact]
    public void TheSeedReadsACountOfMinusTwoToThe63PlusThreeAsThree()
    {
        // strtol("-9223372036854775805") is in range (no saturation); its low 32 bits are 3.
        (LoadResult r, Dataset data) = LoadData("*-9223372036854775805\r\n" + SetKVArgs, Profile.Redis26);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.True(data[0].TryGet("k"u8, out _));
    }

    [Fact]
    public void TheSeedSkipsAPlusSignBeforeACount()
    {
        (LoadResult r, Dataset data) = LoadData("*+3\r\n" + SetKVArgs, Profile.Redis26);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.True(data[0].TryGet("k"u8, out _));
    }

    [Theory]
    [InlineData("*\r\n")]
    [InlineData("*\n")]
    [InlineData("* \t\r\n")]
    public void TheSeedReadsACountOfOnlyWhiteSpaceAsZero(string line)
    {
        Assert.Equal(LoadOutcome.BadFormat, Load(line + SetKVArgs, Profile.Redis26).Outcome);
    }

    [Fact]
    public void TheSeedReadsOnly127BytesOfALongCountLine()
    {
        // fgets(buf,128) stops after 127 bytes: "*" and 126 zeros, atoi 0, fmterr.
        string aof = "*" + new string('0', 130) + "3\r\n" + SetKVArgs;

        Assert.Equal(LoadOutcome.BadFormat, Load(aof, Profile.Redis26).Outcome);
    }

    [Fact]
    public void ASaturatedLengthIsAClaimPastTheEndAndASaturatedNegativeOneIsAFormatError()
    {
        // strtol saturates at LONG_MAX and LONG_MIN. Under the seed's headers with the short-bulk
        // fix, a claim past the end is an end of file; a negative length is a format error.
        Profile profile = Named("fixed-LoaderStrictHeaders");

        Assert.Equal(LoadOutcome.UnexpectedEof, Load(SetKV + "*1\r\n$99999999999999999999\r\nabc", profile).Outcome);
        Assert.Equal(LoadOutcome.BadFormat, Load(SetKV + "*1\r\n$-99999999999999999999\r\nabc", profile).Outcome);
    }

    // ------------------------------------------------------------ helpers

    private static LoadResult Load(string aof, Profile profile, bool truncated = false) =>
        AofLoader.Load(Bytes(aof), new Dataset(), profile, new LoadOptions { LoadTruncated = truncated });

    private static (LoadResult Result, Dataset Data) LoadData(string aof, Profile profile)
    {
        var data = new Dataset();
        return (AofLoader.Load(Bytes(aof), data, profile, new LoadOptions()), data);
    }
}
