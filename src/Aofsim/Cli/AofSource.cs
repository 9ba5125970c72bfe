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

    /// <summary>Loads every file into <paramref name="data"/>; the first failure stops. The result's replay errors are those of every file; the first offset is in the first file that has one.</summary>
    public (LoadResult Result, long Bytes, long Commands) Load(IFileSystem fs, Dataset data, Profile profile, LoadOptions options, IAofLog log)
    {
        using var storage = new FileSystemStorage(fs, Directory);
        long bytes = 0, commands = 0, replayErrors = 0, firstReplayError = -1;
        LoadResult last = new() { Outcome = LoadOutcome.Empty };
        foreach (string file in Files)
        {
            // One open decides: a FIFO (no seek, no size) cannot be opened twice, once to look
            // for an RDB preamble and once to load, without losing what the first open read. It
            // is loaded from that one open, to its end; an RDB through a FIFO is a bad format.
            bool pipe, rdb = false;
            using (Stream s = fs.File.Open(fs.Path.Combine(Directory, file), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                pipe = !s.CanSeek;
                if (pipe)
                {
                    last = AofLoader.Load(s, -1, data, profile, options with { FileName = file }, log);
                }
                else
                {
                    rdb = IsRdb(s);
                }
            }

            if (rdb)
            {
                throw new LoadFailure($"{file} starts with an RDB preamble, which this engine does not read (write it with aof-use-rdb-preamble no)");
            }

            if (!pipe)
            {
                last = AofLoader.Load(storage, file, data, profile, options with { FileName = file }, log);
            }

            bytes += last.FileSize;
            commands += last.Commands;
            replayErrors += last.ReplayErrors;
            firstReplayError = firstReplayError < 0 ? last.FirstReplayErrorOffset : firstReplayError;
            if (!last.Succeeded)
            {
                break;
            }
        }

        return (last with { ReplayErrors = replayErrors, FirstReplayErrorOffset = firstReplayError }, bytes, commands);
    }

    private static bool IsRdb(Stream s)
    {
        Span<byte> head = stackalloc byte[5];
        return s.ReadAtLeast(head, 5, throwOnEndOfStream: false) == 5 && AofManifest.IsRdb(head);
    }
}

/// <summary>A load that cannot start or went wrong: its message goes to stderr and the exit is 1.</summary>
internal sealed class LoadFailure(string message) : Exception(message);
