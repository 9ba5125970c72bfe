using System.CommandLine;
using System.IO.Abstractions;
using AofSim.Engine.Aof;

namespace AofSim.Sim.Cli;

/// <summary><c>aofsim check FILE [--fix]</c>: redis-check-aof's checks and report.</summary>
internal static class CheckVerb
{
    public static Command Build(CliIo io)
    {
        var file = new Argument<string>("FILE") { Description = "A classic (single-file) AOF" };
        var fix = new Option<bool>("--fix") { Description = "Truncate the file to its last valid offset (no prompt)" };
        var cmd = new Command("check", "Check an AOF as redis-check-aof does; exit 0 if valid, 1 if not") { file, fix };
        cmd.SetAction(r => Run(io, new FileSystem(), r.GetValue(file)!, r.GetValue(fix)));
        return cmd;
    }

    public static int Run(CliIo io, IFileSystem fs, string path, bool fix)
    {
        string full = Common.ExistingPath(fs, path);
        if (fs.Directory.Exists(full))
        {
            throw new UsageException($"{path} is a directory: give the AOF file");
        }

        return AofCheckRun.Run(io.Out, fs, full, path, fix);
    }
}
