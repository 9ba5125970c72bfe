using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO.Abstractions;
using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;

namespace AofSim.Sim.Cli;

/// <summary><c>aofsim load FILE</c>: replays an AOF with the engine's loader.</summary>
internal static class LoadVerb
{
    public static Command Build(CliIo io)
    {
        var file = new Argument<string>("FILE") { Description = "An AOF, a Redis 7 manifest, or a directory holding one" };
        var dump = new Option<bool>("--dump") { Description = "Print the dataset as JSON Lines, one key per line" };
        var truncated = new Option<bool>("--load-truncated") { Description = "Load a file cut short up to its last whole command (aof-load-truncated)" };
        var stats = new Option<bool>("--stats") { Description = "Print commands, bytes, seconds, commands/s and replay errors on stderr" };
        var strict = new Option<bool>("--strict-replay") { Description = "Refuse a file in which a command replies an error (by default the reply is dropped, as Redis does)" };
        Option<string> profile = Common.ProfileOption();
        var cmd = new Command("load", "Load an AOF into the engine; exit 0 if it loads, 1 if not") { file, dump, truncated, stats, strict, profile };
        cmd.SetAction(r => Run(
            io,
            new FileSystem(),
            r.GetValue(file)!,
            Common.ResolveProfile(r.GetValue(profile)!),
            r.GetValue(dump),
            r.GetValue(truncated),
            r.GetValue(stats),
            r.GetValue(strict)));
        return cmd;
    }

    public static int Run(CliIo io, IFileSystem fs, string path, Profile profile, bool dump, bool truncated, bool stats, bool strictReplay = false)
    {
        long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var data = new Dataset();
        var log = new MemoryLog();
        var clock = Stopwatch.StartNew();
        LoadResult result;
        long bytes, commands;
        try
        {
            AofSource source = AofSource.Resolve(fs, path);
            (result, bytes, commands) = source.Load(fs, data, profile, new LoadOptions { NowMs = nowMs, LoadTruncated = truncated, StrictReplay = strictReplay }, log);
        }
        catch (LoadFailure e)
        {
            io.Err.WriteLine(e.Message);
            return 1;
        }

        double seconds = clock.Elapsed.TotalSeconds;
        if (!result.Succeeded)
        {
            io.Err.WriteLine(result.Message);
            return 1;
        }

        foreach (string line in log.Messages)
        {
            io.Err.WriteLine(line);
        }

        if (dump)
        {
            foreach (string line in DatasetDump.Lines(data, nowMs))
            {
                io.Out.WriteLine(line);
            }
        }

        if (stats)
        {
            io.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"commands={commands} bytes={bytes} seconds={seconds:F3} commands/s={commands / Math.Max(seconds, 1e-9):F0} replay_errors={result.ReplayErrors}{(result.ReplayErrors > 0 ? $" first_replay_error_offset={result.FirstReplayErrorOffset}" : string.Empty)}"));
        }

        return 0;
    }
}
