using System.IO.Abstractions;
using AofSim.Engine.Adapters;
using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;

namespace AofSim.Sim.Cli;

/// <summary>
/// What the CLI loads: a classic single-file AOF, or a Redis 7 multi-part AOF given by its
/// manifest or by the directory that holds it (base first, then the incr files in order).
/// </summary>
internal sealed class AofSource
{
    private AofSource(string directory, IReadOnlyList<string> files)
    {
        Directory = directory;
        Files = files;
    }

    public string Directory { get; }

    public IReadOnlyList<string> Files { get; }

    public static AofSource Resolve(IFileSystem fs, string path)
    {
        string full = Common.ExistingPath(fs, path);
        string? manifest = null;
        if (fs.Directory.Exists(full))
        {
            manifest = fs.Directory.GetFiles(full, "*.manifest").Order(StringComparer.Ordinal).FirstOrDefault()
                ?? throw new UsageException($"{path} is a directory with no AOF manifest in it");
        }
        else if (full.EndsWith(".manifest", StringComparison.Ordinal))
        {
            manifest = full;
        }

        string dir = fs.Path.GetDirectoryName(manifest ?? full)!;
        if (manifest is null)
        {
            return new AofSource(dir, [fs.Path.GetFileName(full)]);
        }

        (IReadOnlyList<AofManifestEntry> entries, string? error) = AofManifest.Parse(AofManifest.Decode(fs.File.ReadAllBytes(manifest)));
        if (error is not null)
        {
            throw new LoadFailure(error);
        }

        return new AofSource(dir, entries.Select(e => e.Name).ToList());
    }

    /// <summary>Loads every file into <paramref name="data"/>; the first failure stops.</summary>
    public (LoadResult Result, long Bytes, long Commands) Load(IFileSystem fs, Dataset data, Profile profile, LoadOptions options, IAofLog log)
    {
        using var storage = new FileSystemStorage(fs, Directory);
        long bytes = 0, commands = 0;
        LoadResult last = new() { Outcome = LoadOutcome.Empty };
        foreach (string file in Files)
        {
            if (IsRdb(fs, fs.Path.Combine(Directory, file)))
            {
                throw new LoadFailure($"{file} starts with an RDB preamble, which this engine does not read (write it with aof-use-rdb-preamble no)");
            }

            last = AofLoader.Load(storage, file, data, profile, options with { FileName = file }, log);
            bytes += last.FileSize;
            commands += last.Commands;
            if (!last.Succeeded)
            {
                break;
            }
        }

        return (last, bytes, commands);
    }

    private static bool IsRdb(IFileSystem fs, string path)
    {
        using Stream s = fs.File.OpenRead(path);
        Span<byte> head = stackalloc byte[5];
        return s.ReadAtLeast(head, 5, throwOnEndOfStream: false) == 5 && AofManifest.IsRdb(head);
    }
}

/// <summary>A load that cannot start or went wrong: its message goes to stderr and the exit is 1.</summary>
internal sealed class LoadFailure(string message) : Exception(message);
