using System.IO.Abstractions;

namespace AofSim.Scenarios.Cli;

/// <summary>
/// The real file system, except that one file grows while it is read: the first read of a stream
/// on <see cref="Target"/> whose size was taken appends <see cref="Tail"/> to the file first. So
/// a verb sees the size before the append and the bytes after it, as it would while a writer
/// appends, deterministically (no thread, no sleep).
/// </summary>
internal sealed class GrowingFileSystem : IFileSystem
{
    private readonly FileSystem real = new();

    public GrowingFileSystem(string target, byte[] tail)
    {
        Target = Path.GetFullPath(target);
        Tail = tail;
        File = new GrowingFile(this);
    }

    public string Target { get; }

    public byte[] Tail { get; }

    /// <summary>How many times the tail was appended (at most once).</summary>
    public int Appended { get; private set; }

    public IDirectory Directory => real.Directory;

    public IDirectoryInfoFactory DirectoryInfo => real.DirectoryInfo;

    public IDriveInfoFactory DriveInfo => real.DriveInfo;

    public IFile File { get; }

    public IFileInfoFactory FileInfo => real.FileInfo;

    public IFileStreamFactory FileStream => real.FileStream;

    public IFileSystemWatcherFactory FileSystemWatcher => real.FileSystemWatcher;

    public IFileVersionInfoFactory FileVersionInfo => real.FileVersionInfo;

    public IPath Path => real.Path;

    public IRandomAccess RandomAccess => real.RandomAccess;

    private void AppendOnce()
    {
        if (Appended == 0)
        {
            Appended = 1;
            using var w = new FileStream(Target, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            w.Write(Tail);
        }
    }

    private sealed class GrowingFile(GrowingFileSystem owner) : FileWrapper(owner)
    {
        public override FileSystemStream OpenRead(string path) => Wrap(base.OpenRead(path), path);

        public override FileSystemStream Open(string path, FileMode mode, FileAccess access, FileShare share) =>
            Wrap(base.Open(path, mode, access, share), path);

        private FileSystemStream Wrap(FileSystemStream inner, string path) =>
            System.IO.Path.GetFullPath(path) == owner.Target ? new GrowingStream(inner, path, owner) : inner;
    }

    private sealed class GrowingStream(FileSystemStream inner, string path, GrowingFileSystem owner) : FileSystemStream(inner, path, false)
    {
        private bool sizeTaken;

        public override long Length
        {
            get
            {
                sizeTaken = true;
                return base.Length;
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (sizeTaken)
            {
                owner.AppendOnce();
            }

            return base.Read(buffer);
        }
    }
}
