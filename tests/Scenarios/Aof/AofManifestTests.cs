using AofSim.Engine.Aof;

namespace AofSim.Scenarios.Aof;

/// <summary>
/// Redis 7's manifest rules, as <c>aofLoadManifestFromFile</c> has them. Every manifest below was
/// given to redis-check-aof 7.0.15, or, where that tool does not take the file for a manifest (a
/// first line that does not start with "file ", or no line at all), to redis-server 7.0.15
/// starting on it (December 5): what they refused, they refused with the words and the line
/// expected here; what they took, they took.
/// </summary>
public sealed class AofManifestTests
{
    private const string Base = "file appendonly.aof.1.base.aof seq 1 type b\n";
    private const string Incr1 = "file appendonly.aof.1.incr.aof seq 1 type i\n";

    [Fact]
    public void TheBaseComesFirstThenTheIncrFilesInTheirOrder()
    {
        (IReadOnlyList<AofManifestEntry> files, string? error) = AofManifest.Parse(
            "# written by hand\n" + Incr1 + "file appendonly.aof.2.incr.aof seq 2 type i\n" + "file old.aof seq 7 type h\n" + Base);

        Assert.Null(error);
        Assert.Equal(
            [
                new AofManifestEntry("appendonly.aof.1.base.aof", 1, 'b'),
                new AofManifestEntry("appendonly.aof.1.incr.aof", 1, 'i'),
                new AofManifestEntry("appendonly.aof.2.incr.aof", 2, 'i'),
            ],
            files);
    }

    [Theory]
    [InlineData("", "Found an empty AOF manifest")]
    [InlineData(Base + "\n" + Incr1, "Invalid AOF manifest file format at line 2")]
    [InlineData(Base + "   \r\n", "Invalid AOF manifest file format at line 2")]
    [InlineData("file appendonly.aof.1.base.aof seq 1 type b extra\n", "Invalid AOF manifest file format at line 1")]
    [InlineData("file appendonly.aof.1.base.aof seq 1 type \n", "Invalid AOF manifest file format at line 1")]
    [InlineData("file appendonly.aof.1.base.aof seq 0 type b\n", "Invalid AOF manifest file format at line 1")]
    [InlineData("file appendonly.aof.1.base.aof seq abc type b\n", "Invalid AOF manifest file format at line 1")]
    [InlineData("file appendonly.aof.1.base.aof seq 1 kind b\n", "Invalid AOF manifest file format at line 1")]
    [InlineData("name appendonly.aof.1.base.aof seq 1 type b\n", "Invalid AOF manifest file format at line 1")]
    [InlineData(Incr1 + "file 'appendonly.aof.1.base.aof seq 1 type b\n", "Invalid AOF manifest file format at line 2")]
    [InlineData("file appendonly.aof.1.base.aof seq 1 type x\n", "Unknown AOF file type at line 1")]
    [InlineData("file dir/appendonly.aof.1.base.aof seq 1 type b\n", "File can't be a path, just a filename at line 1")]
    [InlineData("file dir\\appendonly.aof.1.base.aof seq 1 type b\n", "File can't be a path, just a filename at line 1")]
    [InlineData(Base + "file appendonly.aof.2.base.aof seq 2 type b\n", "Found duplicate base file information at line 2")]
    [InlineData(Base + "file appendonly.aof.5.incr.aof seq 5 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n", "Found a non-monotonic sequence number at line 3")]
    [InlineData(Incr1 + Incr1, "Found a non-monotonic sequence number at line 2")]
    [InlineData("file appendonly.aof.1.incr.aof seq -3 type i\n", "Found a non-monotonic sequence number at line 1")]
    [InlineData("file appendonly.aof.1.base.aof seq 1 type b", "The AOF manifest file contains too long line at line 1")]
    public void WhatRedisRefusesIsRefusedWithItsWordsAndTheLine(string manifest, string expected)
    {
        (IReadOnlyList<AofManifestEntry> files, string? error) = AofManifest.Parse(manifest);

        Assert.Equal(expected, error);
        Assert.Empty(files);
    }

    [Theory]
    [InlineData("FILE appendonly.aof.1.base.aof SEQ 1 TYPE b\n", 1)] // the keys are matched without case
    [InlineData("file appendonly.aof.1.base.aof seq 1abc type b\n", 1)] // atoll stops at the first non-digit
    [InlineData("file appendonly.aof.1.base.aof seq -3 type b\n", -3)] // a base's seq need only be non-zero
    [InlineData("file appendonly.aof.1.base.aof seq 99999999999999999999 type b\n", long.MaxValue)] // atoll saturates
    [InlineData("file appendonly.aof.1.base.aof seq -99999999999999999999 type b\n", long.MinValue)]
    [InlineData("file appendonly.aof.1.base.aof seq +12 type b\n", 12)]
    [InlineData("file appendonly.aof.1.base.aof seq 1 type bz\n", 1)] // the type is the value's first character
    [InlineData("file appendonly.aof.1.base.aof seq 1 type b k v\n", 1)] // more pairs are room for future keys
    [InlineData("file   appendonly.aof.1.base.aof\tseq 1 type b\r\n", 1)]
    [InlineData("file \"appendonly.aof.1.base.aof\" seq 1 type b\n", 1)] // sdssplitargs's quotes
    public void WhatRedisTakesIsTaken(string manifest, long seq)
    {
        (IReadOnlyList<AofManifestEntry> files, string? error) = AofManifest.Parse(manifest);

        Assert.Null(error);
        Assert.Equal([new AofManifestEntry("appendonly.aof.1.base.aof", seq, 'b')], files);
    }

    [Theory]
    [InlineData("# only a comment\n")]
    [InlineData("# a comment with no newline")]
    [InlineData("file appendonly.aof.1.base.aof seq 1 type h\n")]
    public void AManifestThatNamesNoFileToLoadIsValidAndLoadsNothing(string manifest)
    {
        (IReadOnlyList<AofManifestEntry> files, string? error) = AofManifest.Parse(manifest);

        Assert.Null(error);
        Assert.Empty(files);
    }

    [Fact]
    public void ALineLongerThanRedissBufferIsReadInPiecesAsFgetsReadsIt()
    {
        // A comment of 1,100 characters: fgets takes its first 1,024 as a comment, the rest as the
        // next line, which is not a manifest line.
        string manifest = "#" + new string('x', 1099) + "\n" + Base;

        Assert.Equal("Invalid AOF manifest file format at line 2", AofManifest.Parse(manifest).Error);

        // A file line of more than 1,024 characters has no newline in its first piece.
        string longName = "file " + new string('a', 1030) + " seq 1 type b\n";
        Assert.Equal("The AOF manifest file contains too long line at line 1", AofManifest.Parse(longName).Error);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'R', (byte)'E', (byte)'D', (byte)'I', (byte)'S', (byte)'0', (byte)'0' }, true)]
    [InlineData(new byte[] { (byte)'R', (byte)'E', (byte)'D', (byte)'I', (byte)'S' }, true)]
    [InlineData(new byte[] { (byte)'R', (byte)'E', (byte)'D', (byte)'I' }, false)]
    [InlineData(new byte[] { (byte)'*', (byte)'1', (byte)'\r', (byte)'\n', (byte)'$' }, false)]
    [InlineData(new byte[0], false)]
    public void AnRdbBaseIsKnownByItsSignature(byte[] head, bool rdb) => Assert.Equal(rdb, AofManifest.IsRdb(head));
}
