using System.CommandLine;
using System.IO.Abstractions;
using AofSim.Engine.Adapters;
using AofSim.Engine.Commands;
using AofSim.Engine.Server;
using AofSim.Sim.Serve;

namespace AofSim.Sim.Cli;

/// <summary><c>aofsim serve</c>: the engine behind a RESP server on 127.0.0.1, on a real disk.</summary>
internal static class ServeVerb
{
    public static Command Build(CliIo io)
    {
        var port = new Option<int>("--port") { Description = "TCP port on 127.0.0.1 (0 picks a free one)", DefaultValueFactory = _ => 6380 }.Within(0, 65535);
        var dir = new Option<string>("--dir") { Description = "Directory of the AOF (created if missing)", DefaultValueFactory = _ => "." };
        var appendonly = new Option<string>("--appendonly") { Description = "yes|no", DefaultValueFactory = _ => "yes" };
        var fsync = new Option<string>("--appendfsync") { Description = "always|everysec|no", DefaultValueFactory = _ => "everysec" };
        var truncated = new Option<string>("--aof-load-truncated") { Description = "yes|no: start from an AOF cut short, truncating it", DefaultValueFactory = _ => "yes" };
        var minSize = new Option<long>("--auto-aof-rewrite-min-size") { Description = "Bytes before automatic rewrites start", DefaultValueFactory = _ => 64L * 1024 * 1024 }.Within(0, long.MaxValue);
        Option<string> profile = Common.ProfileOption();
        var cmd = new Command("serve", "Run the engine as a RESP server on 127.0.0.1 over a real AOF") { port, dir, appendonly, fsync, truncated, minSize, profile };
        cmd.SetAction(r => Run(
            io,
            r.GetValue(port),
            r.GetValue(dir)!,
            YesNo(r.GetValue(appendonly)!, "--appendonly"),
            r.GetValue(fsync)!,
            YesNo(r.GetValue(truncated)!, "--aof-load-truncated"),
            r.GetValue(minSize),
            Common.ResolveProfile(r.GetValue(profile)!)));
        return cmd;
    }

    public static int Run(CliIo io, int port, string dir, bool appendOnly, string fsync, bool loadTruncated, long minSize, Engine.Profiles.Profile profile)
    {
        AppendFsync policy = fsync switch
        {
            "always" => AppendFsync.Always,
            "everysec" => AppendFsync.Everysec,
            "no" => AppendFsync.No,
            _ => throw new UsageException($"--appendfsync must be always, everysec or no, not '{fsync}'"),
        };
        if (port is < 0 or > 65535)
        {
            throw new UsageException($"--port must be 0..65535, not {port}");
        }

        Directory.CreateDirectory(dir);
        using var storage = new FileSystemStorage(new FileSystem(), dir);
        using var jobs = new ThreadedBackgroundJobs(storage);
        var log = new ConsoleLog(io.Out);
        var ports = new ServerPorts(storage, SystemClock.Instance, jobs, new ThreadChildProcesses(storage), log, new SplitMix64((ulong)Environment.TickCount64));
        var config = new ServerConfig
        {
            AppendOnly = appendOnly,
            AppendFsync = policy,
            AofLoadTruncated = loadTruncated,
            AutoAofRewriteMinSize = minSize,
            Profile = profile,
        };
        var core = new ServerCore(config, ports);
        core.Start();
        if (core.Stopped is { } failed)
        {
            io.Err.WriteLine(failed.Reason);
            return failed.ExitCode;
        }

        int maxClients = MaxClients.Settle(log);
        if (maxClients == 0)
        {
            return 1;
        }

        var server = new RespServer(core, port, log, maxClients);
        try
        {
            server.Listen();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            io.Err.WriteLine($"Could not listen on 127.0.0.1:{port}: {e.Message}");
            return 1;
        }

        log.Log(Engine.Ports.LogLevel.Notice, $"Ready to accept connections on 127.0.0.1:{server.Port} (profile {profile.Name}, appendonly {(appendOnly ? "yes" : "no")}, appendfsync {fsync})");
        return server.Run();
    }

    private static bool YesNo(string value, string option) => value switch
    {
        "yes" => true,
        "no" => false,
        _ => throw new UsageException($"{option} must be yes or no, not '{value}'"),
    };
}
