namespace AofSim.Blackbox.Disks;

/// <summary>
/// A plain directory of the host's file system: no faults, and a "power loss" loses nothing (the
/// host's own page cache is not ours to drop). The baseline the FUSE disk's speed is compared
/// with, and a way to run a target when FUSE is unavailable.
/// </summary>
public sealed class PlainDirectoryDisk : IBlackboxDisk
{
    private readonly bool owned;

    /// <summary>Uses <paramref name="directory"/>, or a fresh temporary directory (removed at dispose) when null.</summary>
    public PlainDirectoryDisk(string? directory = null)
    {
        owned = directory is null;
        Directory = directory ?? System.IO.Directory.CreateTempSubdirectory("aofsim-plain-").FullName;
    }

    /// <inheritdoc/>
    public string Directory { get; }

    /// <inheritdoc/>
    public string Describe => $"plain directory {Directory}";

    /// <inheritdoc/>
    public DiskStop? StopRequested => null;

    /// <inheritdoc/>
    public IReadOnlyList<string> PowerLoss() => [];

    /// <inheritdoc/>
    public void Dispose()
    {
        if (owned && System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
