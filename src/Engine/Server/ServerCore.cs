using AofSim.Engine.Aof;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Diagnostics;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Text;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Server;

/// <summary>
/// The server around the AOF, driven as Redis drives it: <see cref="Execute"/> runs one command
/// and feeds the AOF buffer (and the rewrite buffer while a child runs);
/// <see cref="BeforeSleep"/> writes the buffer (and fsyncs it under always) and only then
/// releases the replies; <see cref="Cron"/>, every 100 ms, retries postponed flushes, reaps the
/// rewrite child and starts scheduled and automatic rewrites. The host calls these three from one
/// thread: a real event loop, or the simulator.
/// </summary>
/// <remarks>
/// Where the seed calls exit(1) the core stops: <see cref="Stopped"/> holds the exit code and the
/// message, every later call is refused, and replies still pending are dropped, so nothing after
/// the stop is acknowledged. The host decides what a stop means.
/// </remarks>
public sealed partial class ServerCore : IPropagationSink
{
    /// <summary>serverCron's period in ms: 1000 / hz (100 at the default hz 10).</summary>
    public int CronPeriodMs { get; }

    // The AOF buffer, the feed scratch and a client's reply buffer keep their storage between
    // uses up to this size; past it (a big value) they let it go.
    private const int ReusedBufferMax = 64 * 1024;

    private readonly ServerPorts ports;
    private readonly IStorage storage;
    private readonly IAofLog log;
    private readonly IProbeSink probes;
    private CommandProcessor processor;
    private Connection? current;
    private readonly ByteBuffer feedScratch = new(256);
    private readonly List<Connection> pending = [];

    // What BeforeSleep released, refilled at every call: its callers hand the replies on at once,
    // and a list per call was a few percent of what a simulated seed allocates.
    private readonly List<ReleasedReply> released = [];
    private long cronLoops;

    /// <summary>A server over <paramref name="ports"/>; call <see cref="Start"/> before anything else.</summary>
    public ServerCore(ServerConfig config, ServerPorts ports)
    {
        this.ports = ports;
        storage = ports.Storage;
        log = ports.Log;
        probes = ports.Probes ?? NoProbes.Instance;
        Profile = config.Profile;
        AppendFsync = config.AppendFsync;
        AofFileName = config.AofFileName;
        NoAppendFsyncOnRewrite = config.NoAppendFsyncOnRewrite;
        AutoAofRewritePercentage = config.AutoAofRewritePercentage;
        AutoAofRewriteMinSize = config.AutoAofRewriteMinSize;
        AofLoadTruncated = config.AofLoadTruncated;
        State = config.AppendOnly ? AofState.On : AofState.Off;
        Data = new Dataset();
        processor = new CommandProcessor(Data, Profile, ports.Random);
        processor.Context.Sink = this;
        processor.Context.ServerCommands = RunServerCommand;
        RewriteBuffer = new AofRewriteBuffer(log, config.RewriteBufferBlockSize);
        CronPeriodMs = 1000 / Math.Clamp(config.Hz, 1, 500);
        UnixTime = ports.Clock.NowMs / 1000;
    }

    /// <summary>Behaviour switches.</summary>
    public Profile Profile { get; }

    /// <summary>The dataset.</summary>
    public Dataset Data { get; private set; }

    /// <summary>Set once the server has stopped where the seed would exit.</summary>
    public StopOutcome? Stopped { get; private set; }

    /// <summary>appendfsync.</summary>
    public AppendFsync AppendFsync { get; private set; }

    /// <summary>appendfilename.</summary>
    public string AofFileName { get; }

    /// <summary>no-appendfsync-on-rewrite.</summary>
    public bool NoAppendFsyncOnRewrite { get; private set; }

    /// <summary>auto-aof-rewrite-percentage.</summary>
    public int AutoAofRewritePercentage { get; private set; }

    /// <summary>auto-aof-rewrite-min-size.</summary>
    public long AutoAofRewriteMinSize { get; private set; }

    /// <summary>aof-load-truncated.</summary>
    public bool AofLoadTruncated { get; private set; }

    /// <summary>server.aof_state.</summary>
    public AofState State { get; private set; }

    /// <summary>server.aof_fd (-1 when closed).</summary>
    public int AofFd { get; private set; } = -1;

    /// <summary>server.aof_buf: commands not yet written.</summary>
    public ByteBuffer AofBuffer { get; } = new(4096);

    /// <summary>server.aof_selected_db.</summary>
    public int AofSelectedDb { get; private set; } = -1;

    /// <summary>server.aof_child_pid (-1 when none).</summary>
    public int AofChildPid { get; private set; } = -1;

    /// <summary>server.rdb_child_pid (-1 when none): modelled as a child that only keeps the server busy.</summary>
    public int RdbChildPid { get; private set; } = -1;

    /// <summary>server.aof_rewrite_buf_blocks.</summary>
    public AofRewriteBuffer RewriteBuffer { get; }

    /// <summary>server.aof_current_size.</summary>
    public long AofCurrentSize { get; private set; }

    /// <summary>server.aof_rewrite_base_size.</summary>
    public long AofRewriteBaseSize { get; private set; }

    /// <summary>server.aof_rewrite_scheduled.</summary>
    public bool AofRewriteScheduled { get; private set; }

    /// <summary>server.aof_delayed_fsync: flushes written while a background fsync was still pending.</summary>
    public long AofDelayedFsync { get; private set; }

    /// <summary>server.aof_lastbgrewrite_status.</summary>
    public bool AofLastBgrewriteOk { get; private set; } = true;

    /// <summary>server.aof_last_write_status (Redis 2.8; only the fixed profile ever sets it to error).</summary>
    public bool AofLastWriteOk { get; private set; } = true;

    /// <summary>server.aof_rewrite_time_last, seconds (-1 before the first).</summary>
    public long AofRewriteTimeLast { get; private set; } = -1;

    /// <summary>server.aof_rewrite_time_start, Unix seconds (-1 when none runs).</summary>
    public long AofRewriteTimeStart { get; private set; } = -1;

    /// <summary>server.unixtime: the clock in seconds, cached at every cron as the seed does.</summary>
    public long UnixTime { get; private set; }

    /// <summary>server.dirty.</summary>
    public long Dirty => processor.Context.Dirty;

    private long NowMs => ports.Clock.NowMs;

    /// <summary>
    /// initServer's AOF part and loadDataFromDisk: opens the AOF for appending and replays it.
    /// </summary>
    /// <returns>The load result, or null when the AOF is off.</returns>
    public LoadResult? Start()
    {
        UnixTime = NowMs / 1000;
        AofLastFsyncMs = NowMs;
        if (State != AofState.On)
        {
            return null;
        }

        // The seed opens the AOF for appending (initServer) before it replays it
        // (loadDataFromDisk); here the replay comes first, so that storages that refuse a second
        // open of a file (MockFileSystem) work too. Nothing is served in between either way.
        long startMs = NowMs;
        var data = new Dataset();
        LoadResult result = storage.Stat(AofFileName).Ok
            ? AofLoader.Load(storage, AofFileName, data, Profile, new LoadOptions { NowMs = NowMs, LoadTruncated = AofLoadTruncated, FileName = AofFileName, CallerTruncates = true }, log, ports.Random)
            : new LoadResult { Outcome = LoadOutcome.Empty };
        NoteLoad(result);
        if (!result.Succeeded)
        {
            Stop(1, result.Message ?? "The append only file could not be loaded", logged: true);
            return result;
        }

        bool existed = storage.Stat(AofFileName).Ok;
        SysResult opened = storage.Open(AofFileName, OpenFlags.WriteOnly | OpenFlags.Append | OpenFlags.Create);
        if (!opened.Ok)
        {
            Stop(1, $"Can't open the append-only file: {ErrnoText.Strerror(opened.Error)}");
            return null;
        }

        AofFd = (int)opened.Value;
        if (!existed)
        {
            MakeNewAofNameDurable();
        }

        if (result.Outcome == LoadOutcome.Truncated)
        {
            // As Redis 7's loader: truncate first, and only then say the AOF was loaded anyway;
            // a failed truncate stops the server (AOF_FAILED), the file left as it was.
            Errno e = storage.Ftruncate(AofFd, result.ValidUpTo);
            if (e != Errno.None)
            {
                Stop(1, $"Error truncating the AOF file {AofFileName}: {ErrnoText.Strerror(e)}");
                return result;
            }

            log.Log(LogLevel.Warning, AofLoader.LoadedAnywayMessage(AofFileName));
        }

        // What a dead server wrote is maybe only in the page cache: fsync it before counting
        // the whole file as fsynced below, or a power loss may take writes acknowledged long
        // before it (see Profile.FsyncLoadedTailOnStart).
        AofUpdateCurrentSize();
        if (Profile.FsyncLoadedTailOnStart && existed && AofCurrentSize > 0)
        {
            // A failure is what it is at any other time: with RewriteAfterFsyncError the server
            // comes up refusing writes until a rewrite from memory has made the AOF durable.
            Errno e = storage.Fdatasync(AofFd);
            if (e != Errno.None && Profile.RewriteAfterFsyncError)
            {
                EnterFsyncBroken(e);
            }
            else if (e != Errno.None)
            {
                Stop(1, $"Can't fsync the append only file on start: {ErrnoText.Strerror(e)}");
                return result;
            }
        }

        ReplaceDataset(data);
        if (result.Outcome != LoadOutcome.Empty)
        {
            log.Log(LogLevel.Notice, $"DB loaded from append only file: {(NowMs - startMs) / 1000.0:F3} seconds");
        }

        AofRewriteBaseSize = AofCurrentSize;
        AofFsyncOffset = AofCurrentSize;
        return result;
    }

    /// <summary>
    /// Runs one command from <paramref name="conn"/>. Its reply is held until the next
    /// <see cref="BeforeSleep"/>. Nothing runs once the server has stopped.
    /// </summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(Connection conn, CommandArgs argv)
    {
        if (Stopped is not null)
        {
            return;
        }

        ReplyWriter reply = conn.Replies;
        if (!pending.Contains(conn))
        {
            pending.Add(conn);
        }

        current = conn;
        try
        {
            CommandDef? cmd = CommandTable.Lookup(argv[0]);
            // Writes are refused while the AOF cannot take them (Redis 7's processCommand): a
            // write queued in MULTI fails its EXEC, and an EXEC of writes is aborted whole.
            Client client = conn.Client;
            bool isExec = cmd is not null && cmd.Name == "exec" && client.InMulti;
            bool writes = cmd is not null && (cmd.IsWrite || (isExec && client.Queue.Any(q => q.Command.IsWrite)));
            if (writes && WritesDenied(out string? why))
            {
                if (isExec)
                {
                    client.ResetMulti();
                    reply.Error($"EXECABORT Transaction discarded because of: {why}");
                    return;
                }

                client.ExecAborted |= client.InMulti;
                reply.Error(why!);
                return;
            }

            processor.Execute(conn.Client, cmd, argv, reply, NowMs);
        }
        finally
        {
            current = null;
        }
    }

    /// <summary>
    /// beforeSleep: writes the AOF buffer (flushAppendOnlyFile(0)), then releases the replies of
    /// every command run since the last call. If the flush stopped the server, none is released.
    /// The list returned is valid until the next call.
    /// </summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public IReadOnlyList<ReleasedReply> BeforeSleep()
    {
        if (Stopped is null)
        {
            FlushAppendOnlyFile(force: false);
        }

        if (Stopped is not null)
        {
            pending.Clear();
            return [];
        }

        if (pending.Count == 0)
        {
            return [];
        }

        released.Clear();
        if (dropReplies)
        {
            // The fsync under always failed: these replies must not be sent. The clients see
            // their connection closed, as if the server had exited.
            dropReplies = false;
            foreach (Connection conn in pending.Where(c => c.Pending.Length > 0))
            {
                conn.Pending.Clear();
                conn.CloseAfterReply = true;
                released.Add(new ReleasedReply(conn, []));
            }

            pending.Clear();
            return released;
        }

        foreach (Connection conn in pending)
        {
            if (conn.Pending.Length > 0)
            {
                released.Add(new ReleasedReply(conn, conn.Pending.ToArray()));
                conn.Pending.Clear(ReusedBufferMax);
            }
        }

        pending.Clear();
        return released;
    }

    /// <summary>The AOF part of serverCron, to be called every <see cref="CronPeriodMs"/> ms.</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Cron()
    {
        if (Stopped is not null)
        {
            return;
        }

        // Update the time cache.
        UnixTime = NowMs / 1000;
        cronLoops++;

        // After an fsync error the AOF is rewritten from memory before writes are accepted again.
        // A rewrite that keeps failing (a full disk) is retried after 1, 2, 4 … up to 60 s, not
        // at every tick.
        if (Profile.RewriteAfterFsyncError && NoteFsyncErrors() && AofChildPid == -1 && !AofRewriteScheduled && NowMs >= fsyncRewriteNotBeforeMs)
        {
            AofRewriteScheduled = true;
            fsyncRewriteNotBeforeMs = NowMs + Math.Min(60_000, 1000L << Math.Min(6, fsyncRewriteAttempts));
            fsyncRewriteAttempts++;
        }

        // Start a scheduled AOF rewrite if this was requested by the user while a BGSAVE was in
        // progress.
        if (RdbChildPid == -1 && AofChildPid == -1 && AofRewriteScheduled)
        {
            RewriteAppendOnlyFileBackground();
        }

        // Check if a background saving or AOF rewrite in progress terminated.
        if (RdbChildPid != -1 || AofChildPid != -1)
        {
            if (ports.Children.TryWait(out ChildExit exit))
            {
                if (exit.Pid == RdbChildPid)
                {
                    BackgroundSaveDone(exit);
                }
                else if (exit.Pid == AofChildPid)
                {
                    BackgroundRewriteDoneHandler(exit.ExitCode, exit.Signal);
                }
            }
        }
        else
        {
            MaybeStartAutomaticRewrite();
        }

        // If we postponed an AOF buffer flush, let's try to do it every time the cron function
        // is called.
        if (AofFlushPostponedStart != 0)
        {
            FlushAppendOnlyFile(force: false);
        }

        // Fix #6: after a write error the buffer is retried once a second, and writes are
        // accepted again as soon as it goes through.
        if (Profile.WriteErrorRefusesWrites && !AofLastWriteOk && cronLoops % Math.Max(1, 1000 / CronPeriodMs) == 0)
        {
            FlushAppendOnlyFile(force: false);
        }
    }

    /// <summary>feedAppendOnlyFile, as the propagation target of every command.</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Propagate(CommandDef command, int dbId, CommandArgs argv)
    {
        if (State == AofState.Off && AofChildPid == -1)
        {
            return;
        }

        feedScratch.Clear();
        int selected = AofSelectedDb;
        AofFeed.Append(feedScratch, command.Name, dbId, argv, NowMs, ref selected, Profile);
        AofSelectedDb = selected;

        // Append to the AOF buffer. This will be flushed on disk just before re-entering the
        // event loop, so before the client gets a positive reply about the operation performed.
        if (State == AofState.On)
        {
            AofBuffer.Append(feedScratch.Span);
        }

        // While a rewrite runs, the differences between the child's DB and the current one are
        // accumulated, to be appended to the new AOF when the child is done.
        if (AofChildPid != -1)
        {
            RewriteBuffer.Append(feedScratch.Span);
        }

        feedScratch.Clear(ReusedBufferMax);
    }

    /// <summary>Records a stop where the seed calls exit(); the message is logged as the last line.</summary>
    private void Stop(int exitCode, string message, bool logged = false)
    {
        if (Stopped is not null)
        {
            return;
        }

        if (!logged)
        {
            log.Log(LogLevel.Warning, message);
        }

        Stopped = new StopOutcome(exitCode, message);
    }

    /// <summary>
    /// Fix #13 (PR #10737), its other half: a newly created AOF's name is durable only once its
    /// directory is fsynced; without it a power loss can take the whole file, fsynced data and all.
    /// </summary>
    private void MakeNewAofNameDurable()
    {
        if (!Profile.FsyncBeforeRenameAndDir)
        {
            return;
        }

        Errno e = storage.FsyncDirectory(".");
        if (e != Errno.None)
        {
            log.Log(LogLevel.Warning, $"Error fsyncing the directory of the new append only file: {ErrnoText.Strerror(e)}");
        }
    }

    private void NoteLoad(LoadResult result)
    {
        switch (result.Outcome)
        {
            case LoadOutcome.Truncated:
                probes.Hit(ProbeId.LoadTruncated);
                if (result.RevertedMulti)
                {
                    probes.Hit(ProbeId.LoadMultiReverted);
                }

                break;
            case LoadOutcome.UnexpectedEof:
                probes.Hit(ProbeId.LoadUnexpectedEof);
                break;
            case LoadOutcome.BadFormat:
                probes.Hit(ProbeId.LoadBadFormat);
                break;
        }
    }

    private void ReplaceDataset(Dataset data)
    {
        Data = data;
        var fresh = new CommandProcessor(data, Profile, ports.Random);
        fresh.Context.Sink = this;
        fresh.Context.ServerCommands = RunServerCommand;
        processor = fresh;
    }
}
