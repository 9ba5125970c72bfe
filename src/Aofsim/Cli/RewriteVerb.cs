using System.CommandLine;
using System.IO.Abstractions;
using AofSim.Engine.Adapters;
using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;

namespace AofSim.Sim.Cli;

/// <summary><c>aofsim rewrite FILE -o OUT</c>: load, then rewriteAppendOnlyFile into OUT.</summary>
internal static class RewriteVerb
{
    public static Command Build(CliIo io)
    {
        var file = new Argument<string>("FILE") { Description = "The AOF to load (classic, manifest or directory)" };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the rewritten classic AOF", Required = true };
        Option<string> profile = Common.ProfileOption();
        var cmd = new Command("rewrite", "Load an AOF and write the shortest classic AOF that rebuilds it") { file, output, profile };
        cmd.SetAction(r => Run(io, new FileSystem(), r.GetValue(file)!, r.GetValue(output)!, Common.ResolveProfile(r.GetValue(profile)!)));
        return cmd;
    }

    public static int Run(CliIo io, IFileSystem fs, string path, string output, Profile profile)
    {
        long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var data = new Dataset();
        var log = new MemoryLog();
        try
        {
            (LoadResult result, _, _) = AofSource.Resolve(fs, path).Load(fs, data, profile, new LoadOptions { NowMs = nowMs }, log);
            if (!result.Succeeded)
            {
                io.Err.WriteLine(result.Message);
                return 1;
            }
        }
        catch (LoadFailure e)
        {
            io.Err.WriteLine(e.Message);
            return 1;
        }

        string outFull = fs.Path.GetFullPath(output);
        string outDir = fs.Path.GetDirectoryName(outFull)!;
        if (!fs.Directory.Exists(outDir))
        {
            throw new UsageException($"no such directory: {outDir}");
        }

        using var storage = new FileSystemStorage(fs, outDir);
        var rewriteLog = new MemoryLog();
        bool ok = AofRewriter.RewriteToFile(storage, data.Fork(), fs.Path.GetFileName(outFull), Environment.ProcessId, nowMs, profile, rewriteLog);
        foreach (string line in rewriteLog.Messages)
        {
            io.Err.WriteLine(line);
        }

        return ok ? 0 : 1;
    }
}
