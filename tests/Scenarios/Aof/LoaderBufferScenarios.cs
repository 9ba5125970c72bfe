using System.Buffers;
using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using static AofSim.Scenarios.Aof.AofText;

namespace AofSim.Scenarios.Aof;

/// <summary>
/// How the loader reads: its first read asks for the whole file up to 1 MB (64 KB for a stream
/// of unknown size), its buffer doubles only for a command that does not fit and never past what
/// the file has left, the buffer goes back to the shared pool, the end of the file is sticky as
/// stdio's, a caller's in-place buffer is never written, and the descriptor it opens is closed.
/// Sizes in the comments are counted by hand from those rules (AofLoader's remarks).
/// </summary>
public sealed class LoaderBufferScenarios
{
    // 27 bytes.
    private const string SetKV = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";

    // ------------------------------------------------------------ the first read

    [Fact]
    public void AFileOfKnownSizeIsAskedForWholeInItsFirstRead()
    {
        var stream = new RecordingStream(Bytes(SetKV + SetKV), 1 << 30);

        Assert.Equal(LoadOutcome.Loaded, AofLoader.Load(stream, 54, new Dataset(), Profile.Fixed, new LoadOptions()).Outcome);

        Assert.Equal(54, stream.Reads[0].Count);
    }

    [Fact]
    public void AFileOfKnownSizeOver64KbIsAskedForWholeUpTo1Mb()
    {
        string aof = BigSet(200_000); // 200,031 bytes: 4+4+5+4+3+9 header bytes, the value, CRLF
        var stream = new RecordingStream(Bytes(aof), 1 << 30);

        Assert.Equal(LoadOutcome.Loaded, AofLoader.Load(stream, aof.Length, new Dataset(), Profile.Fixed, new LoadOptions()).Outcome);

        Assert.Equal(200_031, aof.Length);
        Assert.Equal(200_031, stream.Reads[0].Count);
    }

    [Fact]
    public void AStreamOfUnknownSizeIsReadIn64KbAtFirst()
    {
        var stream = new RecordingStream(Bytes(SetKV), 1 << 30);

        Assert.Equal(LoadOutcome.Loaded, AofLoader.Load(stream, -1, new Dataset(), Profile.Fixed, new LoadOptions()).Outcome);

        Assert.Equal(65_536, stream.Reads[0].Count);
    }

    // ------------------------------------------------------------ growing the buffer

    [Fact]
    public void TheBufferDoublesForABigCommandButNeverPastWhatTheFileHasLeft()
    {
        // 27 + 1,500,032 = 1,500,059 bytes. The buffer starts at 1 MB (1,048,576): the first read
        // asks for all of it; SET k v parses, the 27 bytes are dropped from the front and the
        // second read asks for 27 more. The big SET does not fit: the buffer grows to what the
        // file has left past those 27 bytes (1,500,032, less than double), and the third read
        // asks for 1,500,032 - 1,048,576 = 451,456 bytes; the fourth finds the end of the file.
        string aof = SetKV + BigSet(1_500_000);
        var stream = new RecordingStream(Bytes(aof), 1 << 30);

        LoadResult r = AofLoader.Load(stream, aof.Length, new Dataset(), Profile.Fixed, new LoadOptions());

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(1_500_059, aof.Length);
        Assert.Equal([1_048_576, 27, 451_456], stream.Reads.Take(3).Select(x => x.Count));
        Assert.Equal(2_097_152, stream.Reads[2].BufferLength); // the pool's bucket for 1,500,032
    }

    [Fact]
    public void AStreamOfUnknownSizeDoublesItsBufferForABigCommand()
    {
        // 64 KB, then 128 KB, then 256 KB: the 200,031-byte command fits the third buffer. Each
        // read asks for the new room: 65,536, then 65,536, then 131,072, then what is left.
        string aof = BigSet(200_000);
        var stream = new RecordingStream(Bytes(aof), 1 << 30);

        LoadResult r = AofLoader.Load(stream, -1, new Dataset(), Profile.Fixed, new LoadOptions());

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal([65_536, 65_536, 131_072], stream.Reads.Take(3).Select(x => x.Count));
        Assert.Equal(262_144, stream.Reads[2].BufferLength);
    }

    [Theory]
    [InlineData(100, 16_384)]
    [InlineData(100_000, 25_000)]
    public void AFileThatGrewPastItsSizeAtOpenGetsAQuarterMoreRoomAtLeast16Kb(int sizeAtOpen, int room)
    {
        // The first read fills the buffer with the file's size at open; the next read, to find
        // out whether the file grew, asks for max(16 KB, a quarter of the buffer) more.
        string aof = BigSet(sizeAtOpen + 1_000);
        var stream = new RecordingStream(Bytes(aof), 1 << 30);

        LoadResult r = AofLoader.Load(stream, sizeAtOpen, new Dataset(), Profile.Fixed, new LoadOptions());

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal([sizeAtOpen, room], stream.Reads.Take(2).Select(x => x.Count));
    }

    [Fact]
    public void ManySmallCommandsNeverGrowTheBufferPast1Mb()
    {
        // 120,000 SETs, 3,240,000 bytes: each refill moves the unparsed tail to the front
        // instead of growing the buffer.
        string aof = string.Concat(Enumerable.Repeat(SetKV, 120_000));
        var stream = new RecordingStream(Bytes(aof), 1 << 30);

        LoadResult r = AofLoader.Load(stream, aof.Length, new Dataset(), Profile.Fixed, new LoadOptions());

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(120_000, r.Commands);
        Assert.All(stream.Reads, x => Assert.Equal(1_048_576, x.BufferLength));
    }

    // ------------------------------------------------------------ the end of the file, the pool

    [Fact]
    public void TheFirstEndOfFileEndsTheLoadAsStdiosStickyEof()
    {
        // The stream would hand out a second SET after reporting its end once (a file appended to
        // in between): the loader, like fread after EOF on glibc, does not ask again.
        var stream = new RecordingStream(Bytes(SetKV + "#annotation"), 1 << 30) { Later = Bytes(SetKV.Replace("$1\r\nk", "$1\r\nj", StringComparison.Ordinal)) };
        var data = new Dataset();

        LoadResult r = AofLoader.Load(stream, -1, data, Profile.Fixed, new LoadOptions());

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(1, r.Commands);
        Assert.False(data[0].TryGet("j"u8, out _));
        Assert.Equal(0, stream.ReadsAfterEnd);
    }

    [Fact]
    public void TheReadBufferGoesBackToTheSharedPool()
    {
        var stream = new RecordingStream(Bytes(SetKV), 1 << 30);

        AofLoader.Load(stream, 27, new Dataset(), Profile.Fixed, new LoadOptions());

        // Returned on this thread, it is what the pool hands out next for that size.
        byte[] used = stream.Reads[0].Buffer;
        Assert.Same(used, ArrayPool<byte>.Shared.Rent(27));
        ArrayPool<byte>.Shared.Return(used);
    }

    [Fact]
    public void BothTheOutgrownAndTheGrownBufferGoBackToThePool()
    {
        string aof = BigSet(100_000);
        var stream = new RecordingStream(Bytes(aof), 1 << 30);

        AofLoader.Load(stream, -1, new Dataset(), Profile.Fixed, new LoadOptions());

        byte[] first = stream.Reads[0].Buffer;
        byte[] last = stream.Reads[^1].Buffer;
        Assert.Equal(65_536, first.Length);
        Assert.Equal(131_072, last.Length);
        Assert.Same(first, ArrayPool<byte>.Shared.Rent(65_536));
        Assert.Same(last, ArrayPool<byte>.Shared.Rent(131_072));
        ArrayPool<byte>.Shared.Return(first);
        ArrayPool<byte>.Shared.Return(last);
    }

    [Fact]
    public void AStreamOfUnknownSizeCutInItsLastCommandReportsEveryByteItRead()
    {
        // 27 + 9 bytes read; the cut command's 9 are still in the buffer at the end.
        var stream = new RecordingStream(Bytes(SetKV + "*3\r\n$3\r\nS"), 5);

        LoadResult r = AofLoader.Load(stream, -1, new Dataset(), Profile.Fixed, new LoadOptions { LoadTruncated = true });

        Assert.Equal(LoadOutcome.Truncated, r.Outcome);
        Assert.Equal(36, r.FileSize);
        Assert.Equal(27, r.ValidUpTo);
    }

    // ------------------------------------------------------------ in place

    [Fact]
    public void LoadingInPlaceNeverWritesTheCallersBuffer()
    {
        // The cut command's bytes differ from the file's first ones (a move to the front shows).
        byte[] aof = Bytes(SetKV + SetKV + "*2\r\n$6\r\nSEL");
        byte[] copy = (byte[])aof.Clone();

        LoadResult r = AofLoader.LoadInPlace(aof, aof.Length, new Dataset(), Profile.Fixed, new LoadOptions { LoadTruncated = true }, new MemoryLog());

        Assert.Equal(LoadOutcome.Truncated, r.Outcome);
        Assert.Equal(54, r.ValidUpTo);
        Assert.Equal(copy, aof);
    }

    [Fact]
    public void LoadingInPlaceRefusesALengthOutsideTheBuffer()
    {
        byte[] aof = Bytes(SetKV);

        // The loader's own check, naming the argument (a slice past the end would name none).
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => AofLoader.LoadInPlace(aof, -1, new Dataset(), Profile.Fixed, new LoadOptions())).ParamName);
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => AofLoader.LoadInPlace(aof, 28, new Dataset(), Profile.Fixed, new LoadOptions())).ParamName);
    }

    [Fact]
    public void LoadingNoBytesInPlaceIsAnEmptyDataset()
    {
        LoadResult r = AofLoader.LoadInPlace(Bytes(SetKV), 0, new Dataset(), Profile.Fixed, new LoadOptions());

        Assert.Equal(LoadOutcome.Empty, r.Outcome);
        Assert.Equal(0, r.Commands);
    }

    [Fact]
    public void LoadingInPlaceLogsToTheCallersLog()
    {
        var log = new MemoryLog();

        LoadResult r = AofLoader.LoadInPlace(Bytes("xyz"), 3, new Dataset(), Profile.Fixed, new LoadOptions(), log);

        Assert.Equal(LoadOutcome.BadFormat, r.Outcome);
        Assert.Equal([r.Message!], log.Messages);
    }

    // ------------------------------------------------------------ on storage

    [Fact]
    public void LoadingFromStorageClosesTheDescriptorItOpened()
    {
        var storage = new MemoryStorage(Bytes(SetKV));

        LoadResult r = AofLoader.Load(storage, "appendonly.aof", new Dataset(), Profile.Fixed, new LoadOptions());

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(1, storage.Opens);
        Assert.Equal(1, storage.Closes);
    }

    [Theory]
    [InlineData(3_000_000)]
    [InlineData(2_048_518)]
    public void AClaimPastTheEndOfAStoredFileIsCheckedAgainstItsSizeBeforeReadingOn(int claim)
    {
        // 2,048,576 bytes; the second command's payload starts at 57 (27 + 4 + 4 + 5 + 4 + 3 +
        // "$3000000\r\n" 10): 2,048,517 bytes and a CRLF would fit exactly, so both claims are
        // past the end, the second by one byte. The first read takes 1 MB; the claim is past the
        // end at open, so the loader asks the size again (one fstat more than the one at open)
        // and stops: the second megabyte is never read.
        var storage = new MemoryStorage(StoredClaim(claim, 2_048_576));

        LoadResult r = AofLoader.Load(storage, "appendonly.aof", new Dataset(), Profile.Fixed, new LoadOptions());

        Assert.Equal(LoadOutcome.UnexpectedEof, r.Outcome);
        Assert.Equal(27, r.ValidUpTo);
        Assert.Equal(1_048_576, storage.BytesRead);
        Assert.Equal(2, storage.Fstats);
    }

    [Fact]
    public void AClaimThatExactlyFitsAStoredFileIsReadWithoutAskingItsSizeAgain()
    {
        byte[] aof = StoredClaim(2_048_517, 2_048_576);
        var storage = new MemoryStorage(aof);

        LoadResult r = AofLoader.Load(storage, "appendonly.aof", new Dataset(), Profile.Fixed, new LoadOptions());

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(2_048_576, storage.BytesRead);
        Assert.Equal(1, storage.Fstats);
    }

    [Fact]
    public void AClaimPastTheSizeAtOpenOfAFileThatHasGrownToHoldItExactlyLoads()
    {
        // 80 bytes at open: SET k v, the head of a SET whose 100-byte value starts at 53
        // (27 + 4 + 4 + 5 + 4 + 3 + "$100\r\n" 6), and 27 bytes of the value. Asked its size
        // again, the file has grown by the rest and its CRLF: 53 + 100 + 2 = 155, an exact fit.
        byte[] whole = StoredClaim(100, 155);
        var storage = new MemoryStorage(whole[..80]) { GrowTo = whole };

        LoadResult r = AofLoader.Load(storage, "appendonly.aof", new Dataset(), Profile.Fixed, new LoadOptions());

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(2, r.Commands);
        Assert.Equal(155, r.FileSize);
    }

    [Fact]
    public void AStoredFileWhoseSizeCannotBeTakenIsReadAsAStreamOfUnknownSize()
    {
        var storage = new MemoryStorage(Bytes(SetKV)) { FstatFails = true };

        LoadResult r = AofLoader.Load(storage, "appendonly.aof", new Dataset(), Profile.Fixed, new LoadOptions());

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.Equal(27, r.FileSize);
        Assert.Equal(65_536, storage.ReadSizes[0]);
    }

    [Fact]
    public void TheLoaderDrawsFromTheCallersRandomSource()
    {
        // A hand-written SPOP (the engine logs SPOP as SREM) replayed with the caller's source.
        var random = new CountingRandom();
        string aof = "*5\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n*2\r\n$4\r\nSPOP\r\n$1\r\ns\r\n";
        var data = new Dataset();

        LoadResult r = AofLoader.Load(new MemoryStream(Bytes(aof)), aof.Length, data, Profile.Fixed, new LoadOptions(), random: random);

        Assert.Equal(LoadOutcome.Loaded, r.Outcome);
        Assert.True(random.Calls > 0);
    }

    // ------------------------------------------------------------ helpers

    // SET k <value of n bytes>: 31 bytes besides the value when n has 6 digits, 32 with 7.
    private static string BigSet(int n) => $"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${n}\r\n{new string('x', n)}\r\n";

    // SET k v, then SET k <a value claimed n bytes long> in a file of total bytes: 'x's, the
    // last two bytes CRLF when n fits exactly.
    private static byte[] StoredClaim(int n, int total)
    {
        byte[] head = Bytes(SetKV + $"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${n}\r\n");
        byte[] aof = new byte[total];
        aof.AsSpan().Fill((byte)'x');
        head.CopyTo(aof, 0);
        aof[^2] = (byte)'\r';
        aof[^1] = (byte)'\n';
        return aof;
    }

    private sealed class CountingRandom : Engine.Commands.IRandomSource
    {
        public int Calls { get; private set; }

        public int Next(int maxExclusive)
        {
            Calls++;
            return 0;
        }
    }

    /// <summary>
    /// One file in memory, opened read-only: counts its opens, closes, fstats and the bytes read; its fstat can
    /// fail; and on its second fstat it can have grown to <see cref="GrowTo"/> (a writer
    /// appending while it is loaded).
    /// </summary>
    private sealed class MemoryStorage(byte[] content) : IStorage
    {
        private byte[] content = content;
        private long offset;

        public byte[]? GrowTo { get; init; }

        public bool FstatFails { get; init; }

        public int Fstats { get; private set; }

        public long BytesRead { get; private set; }

        public List<int> ReadSizes { get; } = [];

        public int Opens { get; private set; }

        public int Closes { get; private set; }

        public SysResult Open(string path, OpenFlags flags)
        {
            Opens++;
            return SysResult.Success(3);
        }

        public SysResult Read(int fd, Span<byte> buffer)
        {
            ReadSizes.Add(buffer.Length);
            int n = (int)Math.Min(buffer.Length, content.Length - offset);
            content.AsSpan((int)offset, n).CopyTo(buffer);
            offset += n;
            BytesRead += n;
            return SysResult.Success(n);
        }

        public SysResult Fstat(int fd)
        {
            if (++Fstats == 2 && GrowTo is not null)
            {
                content = GrowTo;
            }

            return FstatFails ? SysResult.Fail(Errno.EIO) : SysResult.Success(content.Length);
        }

        public Errno Close(int fd)
        {
            Closes++;
            return Errno.None;
        }

        public SysResult Write(int fd, ReadOnlySpan<byte> data) => throw new NotSupportedException();

        public Errno Ftruncate(int fd, long length) => throw new NotSupportedException();

        public Errno Fsync(int fd) => throw new NotSupportedException();

        public Errno Fdatasync(int fd) => throw new NotSupportedException();

        public SysResult Stat(string path) => throw new NotSupportedException();

        public Errno Rename(string from, string to) => throw new NotSupportedException();

        public Errno Unlink(string path) => throw new NotSupportedException();

        public Errno FsyncDirectory(string path) => throw new NotSupportedException();
    }

    /// <summary>
    /// A read-only stream over <c>bytes</c> handing out at most <c>chunk</c> bytes a read, that
    /// records every read (the buffer, its length and the count asked for), and that, after it
    /// has once reported its end, would hand out <see cref="Later"/> if asked again.
    /// </summary>
    private sealed class RecordingStream(byte[] bytes, int chunk) : Stream
    {
        private int pos;
        private bool ended;

        public List<(byte[] Buffer, int BufferLength, int Count)> Reads { get; } = [];

        public byte[] Later { get; init; } = [];

        public int ReadsAfterEnd { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Reads.Add((buffer, buffer.Length, count));
            if (ended && ReadsAfterEnd++ == 0)
            {
                // Asked again after its end: what was appended in between.
                bytes = Later;
                pos = 0;
            }

            int n = Math.Min(Math.Min(count, chunk), bytes.Length - pos);
            if (n <= 0)
            {
                ended = true;
                return 0;
            }

            bytes.AsSpan(pos, n).CopyTo(buffer.AsSpan(offset));
            pos += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
