using System.Globalization;
using System.Text;
using AofSim.Engine.Commands;
using AofSim.Engine.Ports;
using AofSim.Engine.Text;

namespace AofSim.Engine.Server;

/// <summary>The server commands: BGREWRITEAOF, BGSAVE, CONFIG, INFO, SHUTDOWN.</summary>
public sealed partial class ServerCore
{
    private static readonly string[] ConfigNames =
    [
        "appendonly", "appendfsync", "appendfilename", "no-appendfsync-on-rewrite",
        "auto-aof-rewrite-percentage", "auto-aof-rewrite-min-size", "aof-load-truncated", "save",
    ];

    /// <summary>The persistence section of INFO, as the seed prints it.</summary>
    public string InfoPersistence()
    {
        var sb = new StringBuilder();
        sb.Append("# Persistence\r\n");
        sb.Append("loading:0\r\n");
        Field(sb, "aof_enabled", State != AofState.Off ? 1 : 0);
        Field(sb, "aof_rewrite_in_progress", AofChildPid != -1 ? 1 : 0);
        Field(sb, "aof_rewrite_scheduled", AofRewriteScheduled ? 1 : 0);
        Field(sb, "aof_last_rewrite_time_sec", AofRewriteTimeLast);
        Field(sb, "aof_current_rewrite_time_sec", AofChildPid == -1 ? -1 : (NowMs / 1000) - AofRewriteTimeStart);
        sb.Append("aof_last_bgrewrite_status:").Append(AofLastBgrewriteOk ? "ok" : "err").Append("\r\n");
        if (Profile.WriteErrorRefusesWrites)
        {
            sb.Append("aof_last_write_status:").Append(AofLastWriteOk ? "ok" : "err").Append("\r\n");
        }

        if (State != AofState.Off)
        {
            Field(sb, "aof_current_size", AofCurrentSize);
            Field(sb, "aof_base_size", AofRewriteBaseSize);
            Field(sb, "aof_pending_rewrite", AofRewriteScheduled ? 1 : 0);
            Field(sb, "aof_buffer_length", AofBuffer.Length);
            Field(sb, "aof_rewrite_buffer_length", RewriteBuffer.Size);
            Field(sb, "aof_pending_bio_fsync", ports.Jobs.Pending(BioJobType.AofFsync));
            Field(sb, "aof_delayed_fsync", AofDelayedFsync);
        }

        return sb.ToString();
    }

    /// <summary>
    /// prepareForShutdown's AOF part: kill a rewrite child, fsync the AOF, stop with code 0. The
    /// seed fsyncs without first writing the AOF buffer (#8); the fix flushes it first, and when
    /// that write fails it does not exit (returns false): the buffer holds acknowledged writes.
    /// </summary>
    /// <returns>False when the server refused to exit.</returns>
    public bool Shutdown()
    {
        if (Stopped is not null)
        {
            return true;
        }

        log.Log(LogLevel.Warning, "User requested shutdown...");
        if (State != AofState.On && AofFileNotDurable)
        {
            // The AOF a restart loads is not durable: the same fsyncgate as below. Turned on
            // again, it stays so until the rewrite that waits to switch it on has replaced it,
            // child running or not (a killed child's retry may wait for a BGSAVE).
            return RefuseShutdownNotDurable();
        }

        if (State != AofState.Off)
        {
            if (Profile.RewriteAfterFsyncError && NoteFsyncErrors())
            {
                // After an fsync error the AOF holds pages Linux will never write; a restarted
                // server could not learn of the error, so only the rewrite (the child, left
                // running) makes the AOF durable again: exiting first would lose those writes.
                return RefuseShutdownNotDurable();
            }

            // Kill the AOF saving child as the AOF we already have may be longer but contains
            // the full dataset anyway.
            if (AofChildPid != -1)
            {
                // Unless AOF was just turned on: the file is not written yet, and the dataset
                // would be lost (Redis 2.8).
                if (State == AofState.WaitRewrite && Profile.ShutdownWaitsForInitialAof)
                {
                    log.Log(LogLevel.Warning, "Writing initial AOF, can't exit.");
                    return false;
                }

                log.Log(LogLevel.Warning, "There is a child rewriting the AOF. Killing it!");
                probes.Hit(Diagnostics.ProbeId.RewriteChildKilledByServer);
                ports.Children.Kill(AofChildPid);
                if (Profile.RemoveBothTempNames)
                {
                    ports.Children.Wait(AofChildPid);
                    AofRemoveTempFile(AofChildPid);
                }
            }

            if (AofBuffer.Length > 0)
            {
                probes.Hit(Diagnostics.ProbeId.ShutdownWithBuffer);
            }

            if (Profile.FlushBeforeShutdown)
            {
                FlushAppendOnlyFile(force: true);
                if (Stopped is not null)
                {
                    return true;
                }

                if (AofBuffer.Length > 0)
                {
                    // The write failed (it stays buffered for the retry): exiting now would drop
                    // writes already acknowledged under everysec, and SHUTDOWN promises none is
                    // lost. Refuse, as prepareForShutdown does when its final save fails.
                    log.Log(LogLevel.Warning, "Error trying to write the AOF buffer, can't exit.");
                    return false;
                }
            }

            // Append only file: fsync() the AOF and exit.
            log.Log(LogLevel.Notice, "Calling fsync() on the AOF file.");
            Errno e = ports.Storage.Fdatasync(AofFd);
            if (e != Errno.None && Profile.FsyncErrorsHandled)
            {
                log.Log(LogLevel.Warning, $"Fail to fsync the AOF file: {ErrnoText.Strerror(e)}.");
            }

            if (e != Errno.None && Profile.RewriteAfterFsyncError)
            {
                // The same fsyncgate: stay up, refuse writes, and let cron rewrite the AOF.
                EnterFsyncBroken(e);
                return RefuseShutdownNotDurable();
            }
        }

        Stop(0, "Redis is now ready to exit, bye bye...");
        return true;
    }

    // The one refusal of every fsyncgate case (fixes RewriteAfterFsyncError): the AOF a restart
    // would load holds pages that may never reach the disk, and only a rewrite replaces it.
    private bool RefuseShutdownNotDurable()
    {
        log.Log(LogLevel.Warning, "The AOF is not durable since an fsync error and is not rewritten yet, can't exit.");
        return false;
    }

    private static void Field(StringBuilder sb, string name, long value) =>
        sb.Append(name).Append(':').Append(value.ToString(CultureInfo.InvariantCulture)).Append("\r\n");

    private void RunServerCommand(CommandContext ctx, CommandArgs a)
    {
        switch (a.Text(0).ToLowerInvariant())
        {
            case "bgrewriteaof":
                BgRewriteAof(ctx.Reply);
                break;
            case "bgsave":
                BgSave(ctx.Reply);
                break;
            case "info":
                ctx.Reply.Bulk(InfoPersistence());
                break;
            case "config":
                Config(ctx.Reply, a);
                break;
            case "shutdown":
                if (Shutdown())
                {
                    if (current is not null)
                    {
                        current.CloseAfterReply = true;
                    }
                }
                else
                {
                    ctx.Reply.Error("ERR Errors trying to SHUTDOWN. Check logs.");
                }

                break;
        }
    }

    // bgsaveCommand (Redis 2.6's rdb.c): its three answers, and the bare error (shared.err) when
    // fork fails.
    private void BgSave(ReplyWriter reply)
    {
        if (RdbChildPid != -1)
        {
            reply.Error("ERR Background save already in progress");
        }
        else if (AofChildPid != -1)
        {
            reply.Error("ERR Can't BGSAVE while AOF log rewriting is in progress");
        }
        else if (StartRdbChild())
        {
            reply.Status("Background saving started");
        }
        else
        {
            reply.Error("ERR");
        }
    }

    // bgrewriteaofCommand: its three answers (and the bare error when fork fails).
    private void BgRewriteAof(ReplyWriter reply)
    {
        if (AofChildPid != -1)
        {
            reply.Error("ERR Background append only file rewriting already in progress");
        }
        else if (RdbChildPid != -1)
        {
            AofRewriteScheduled = true;
            reply.Status("Background append only file rewriting scheduled");
        }
        else if (RewriteAppendOnlyFileBackground())
        {
            reply.Status("Background append only file rewriting started");
        }
        else
        {
            reply.Error("ERR");
        }
    }

    private void Config(ReplyWriter reply, CommandArgs a)
    {
        if (a.Is(1, "GET"u8) && a.Count == 3)
        {
            var pairs = new List<byte[]>();
            foreach (string name in ConfigNames)
            {
                if (Glob.IsMatch(a[2], Encoding.ASCII.GetBytes(name)))
                {
                    pairs.Add(Encoding.ASCII.GetBytes(name));
                    pairs.Add(Encoding.ASCII.GetBytes(ConfigValue(name)));
                }
            }

            reply.Array(pairs);
            return;
        }

        if (a.Is(1, "SET"u8) && a.Count == 4)
        {
            ConfigSet(reply, a.Text(2).ToLowerInvariant(), a.Text(3));
            return;
        }

        reply.Error(a.Is(1, "GET"u8) || a.Is(1, "SET"u8)
            ? $"ERR Wrong number of arguments for CONFIG {a.Text(1).ToUpperInvariant()}"
            : "ERR CONFIG subcommand must be one of GET, SET");
    }

    private string ConfigValue(string name) => name switch
    {
        "appendonly" => YesNo(State != AofState.Off),
        "appendfsync" => AppendFsync.ToString().ToLowerInvariant(),
        "appendfilename" => AofFileName,
        "no-appendfsync-on-rewrite" => YesNo(NoAppendFsyncOnRewrite),
        "auto-aof-rewrite-percentage" => AutoAofRewritePercentage.ToString(CultureInfo.InvariantCulture),
        "auto-aof-rewrite-min-size" => AutoAofRewriteMinSize.ToString(CultureInfo.InvariantCulture),
        "save" => string.Empty, // no RDB snapshots: the AOF is the only persistence here
        _ => YesNo(AofLoadTruncated),
    };

    private void ConfigSet(ReplyWriter reply, string name, string value)
    {
        string v = value.ToLowerInvariant();
        bool? yesNo = v == "yes" ? true : v == "no" ? false : null;
        switch (name)
        {
            case "appendonly" when yesNo is bool on:
                if (!on && State != AofState.Off)
                {
                    StopAppendOnly();
                }
                else if (on && State == AofState.Off && !StartAppendOnly())
                {
                    reply.Error("ERR Unable to turn on AOF. Check server logs.");
                    return;
                }

                break;
            case "appendfsync" when v is "always" or "everysec" or "no":
                AppendFsync = v switch { "always" => AppendFsync.Always, "everysec" => AppendFsync.Everysec, _ => AppendFsync.No };
                break;
            case "no-appendfsync-on-rewrite" when yesNo is bool b:
                NoAppendFsyncOnRewrite = b;
                break;
            case "aof-load-truncated" when yesNo is bool b:
                AofLoadTruncated = b;
                break;
            case "auto-aof-rewrite-percentage" when int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int pct):
                AutoAofRewritePercentage = pct;
                break;
            case "auto-aof-rewrite-min-size" when TryParseMemory(v, out long bytes):
                AutoAofRewriteMinSize = bytes;
                break;
            case "appendonly" or "appendfsync" or "no-appendfsync-on-rewrite" or "aof-load-truncated"
                or "auto-aof-rewrite-percentage" or "auto-aof-rewrite-min-size":
                reply.Error($"ERR Invalid argument '{value}' for CONFIG SET '{name}'");
                return;
            default:
                reply.Error($"ERR Unsupported CONFIG parameter: {name}");
                return;
        }

        reply.Ok();
    }

    private static string YesNo(bool b) => b ? "yes" : "no";

    // memtoll: a number with an optional k, kb, m, mb, g or gb suffix.
    private static bool TryParseMemory(string v, out long bytes)
    {
        (string suffix, long mul)[] units = [("gb", 1L << 30), ("mb", 1L << 20), ("kb", 1L << 10), ("g", 1_000_000_000), ("m", 1_000_000), ("k", 1000)];
        long multiplier = 1;
        foreach ((string suffix, long mul) in units)
        {
            if (v.EndsWith(suffix, StringComparison.Ordinal))
            {
                v = v[..^suffix.Length];
                multiplier = mul;
                break;
            }
        }

        bytes = 0;
        return long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && !(n > long.MaxValue / multiplier) && (bytes = n * multiplier) >= 0;
    }
}
