using AofSim.Engine.Data;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Resp;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Aof;

/// <summary>
/// The seed's rewriteAppendOnlyFile: the shortest AOF that rebuilds a dataset, using variadic
/// commands (RPUSH, SADD, ZADD, HMSET) of at most <see cref="ItemsPerCommand"/> items.
/// </summary>
public static class AofRewriter
{
    /// <summary>REDIS_AOF_REWRITE_ITEMS_PER_CMD.</summary>
    public const int ItemsPerCommand = 64;

    /// <summary>The temp file the rewrite writes before its rename: "temp-rewriteaof-&lt;pid&gt;.aof".</summary>
    public static string TempFileName(int pid) => $"temp-rewriteaof-{pid}.aof";

    /// <summary>
    /// The loop of rewriteAppendOnlyFile: for each non-empty db a SELECT, then every key. A key
    /// whose expiry is already past <paramref name="nowMs"/> is skipped; under the seed's
    /// behaviour (#4) the check comes after the key was written, so only its PEXPIREAT is
    /// skipped and the key becomes persistent.
    /// </summary>
    /// <returns>False on a write error (the seed's werr).</returns>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool WriteDataset(Rio r, DatasetSnapshot snapshot, long nowMs, Profile profile)
    {
        for (int j = 0; j < Dataset.DbCount; j++)
        {
            IReadOnlyDictionary<byte[], DbEntry> db = snapshot[j];
            if (db.Count == 0)
            {
                continue;
            }

            if (!r.Write("*2\r\n$6\r\nSELECT\r\n"u8) || !r.WriteBulkLongLong(j))
            {
                return false;
            }

            foreach ((byte[] key, DbEntry entry) in db)
            {
                long expireAt = entry.ExpireAt;
                if (profile.RewriteExpiryBeforeWrite && expireAt != DbEntry.NoExpiry && expireAt < nowMs)
                {
                    continue;
                }

                if (!WriteObject(r, key, entry.Value))
                {
                    return false;
                }

                if (expireAt != DbEntry.NoExpiry)
                {
                    // If this key is already expired skip it (the seed: after the key is written).
                    if (expireAt < nowMs)
                    {
                        continue;
                    }

                    if (!r.Write("*3\r\n$9\r\nPEXPIREAT\r\n"u8) || !r.WriteBulkString(key) || !r.WriteBulkLongLong(expireAt))
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    /// <summary>
    /// rewriteAppendOnlyFile(filename): writes the dataset to "temp-rewriteaof-&lt;pid&gt;.aof",
    /// flushes, fsyncs and closes it, then renames it to <paramref name="filename"/>.
    /// </summary>
    /// <returns>True on success (REDIS_OK).</returns>
    public static bool RewriteToFile(IStorage storage, DatasetSnapshot snapshot, string filename, int pid, long nowMs, Profile profile, IAofLog log)
    {
        // Note that we have to use a different temp name here compared to the one used by
        // rewriteAppendOnlyFileBackground() (the seed's comment).
        string tmpfile = TempFileName(pid);
        SysResult opened = storage.Open(tmpfile, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Truncate);
        if (!opened.Ok)
        {
            log.Log(LogLevel.Warning, $"Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): {ErrnoText.Strerror(opened.Error)}");
            return false;
        }

        int fd = (int)opened.Value;
        using var rio = new FileRio(storage, fd);
        if (!WriteDataset(rio, snapshot, nowMs, profile))
        {
            return WriteError(storage, fd, tmpfile, rio.LastError, log);
        }

        // Make sure data will not remain on the OS's output buffers. The seed ignores the
        // results of these three calls (#5): a full disk leaves a short file that is renamed
        // over the good AOF. The fix treats each failure as a write error.
        bool flushed = rio.Flush();
        Errno synced = storage.Fdatasync(fd);
        if (profile.RewriteChecksFlushErrors)
        {
            if (!flushed)
            {
                return WriteError(storage, fd, tmpfile, rio.LastError, log);
            }

            if (synced != Errno.None)
            {
                return WriteError(storage, fd, tmpfile, synced, log);
            }

            Errno closed = storage.Close(fd);
            if (closed != Errno.None)
            {
                storage.Unlink(tmpfile);
                log.Log(LogLevel.Warning, $"Write error writing append only file on disk: {ErrnoText.Strerror(closed)}");
                return false;
            }
        }
        else
        {
            storage.Close(fd);
        }

        // Use RENAME to make sure the DB file is changed atomically only if the generated DB
        // file is ok.
        Errno renamed = storage.Rename(tmpfile, filename);
        if (renamed != Errno.None)
        {
            log.Log(LogLevel.Warning, $"Error moving temp append only file on the final destination: {ErrnoText.Strerror(renamed)}");
            storage.Unlink(tmpfile);
            return false;
        }

        if (profile.FsyncBeforeRenameAndDir)
        {
            // Fix #13: the rename itself is durable only once the directory is fsynced.
            Errno dir = storage.FsyncDirectory(".");
            if (dir != Errno.None)
            {
                log.Log(LogLevel.Warning, $"Error fsyncing the directory of the rewritten append only file: {ErrnoText.Strerror(dir)}");
                return false;
            }
        }

        log.Log(LogLevel.Notice, "SYNC append only file rewrite performed");
        return true;
    }

    /// <summary>The commands for one key's value (SET, or rewriteList/Set/SortedSet/HashObject).</summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool WriteObject(Rio r, byte[] key, object value)
    {
        // An exact type test for the commonest value: `case byte[]` would call the runtime's
        // array cast helper for every key.
        if (value.GetType() == typeof(byte[]))
        {
            return r.Write("*3\r\n$3\r\nSET\r\n"u8) && r.WriteBulkString(key) && r.WriteBulkString(System.Runtime.CompilerServices.Unsafe.As<byte[]>(value));
        }

        switch (value)
        {
            case RedisString s:
                return r.Write("*3\r\n$3\r\nSET\r\n"u8) && r.WriteBulkString(key) && r.WriteBulkString(s.Span);
            case RedisList list:
                {
                    var batch = new Batch("RPUSH"u8, key, list.Items.Count, 1);
                    for (int i = 0; i < list.Items.Count; i++)
                    {
                        if (!batch.Next(r) || !r.WriteBulkString(list.Items[i]))
                        {
                            return false;
                        }
                    }

                    return true;
                }

            case RedisSet set:
                {
                    var batch = new Batch("SADD"u8, key, set.Members.Count, 1);
                    foreach (byte[] m in set.Members)
                    {
                        if (!batch.Next(r) || !r.WriteBulkString(m))
                        {
                            return false;
                        }
                    }

                    return true;
                }

            case RedisZSet zset:
                {
                    var batch = new Batch("ZADD"u8, key, zset.Count, 2);
                    foreach (ZEntry e in zset.Ordered)
                    {
                        if (!batch.Next(r) || !r.WriteBulkDouble(e.Score) || !r.WriteBulkString(e.Member))
                        {
                            return false;
                        }
                    }

                    return true;
                }

            case RedisHash hash:
                {
                    var batch = new Batch("HMSET"u8, key, hash.Fields.Count, 2);
                    foreach ((byte[] field, byte[] v) in hash.Fields)
                    {
                        if (!batch.Next(r) || !r.WriteBulkString(field) || !r.WriteBulkString(v))
                        {
                            return false;
                        }
                    }

                    return true;
                }

            case RedisStream stream:
                return WriteStream(r, key, stream);

            default:
                throw new InvalidOperationException($"Unknown object type {value.GetType().Name}");
        }
    }

    // Redis 7's rewriteStreamObject: an XADD per entry (or, for an empty stream, the XADD
    // MAXLEN 0 trick, which makes the key and trims the entry away), an XSETID restoring the last
    // ID, entries added and largest deleted ID, then per group an XGROUP CREATE with its entries
    // read, and per consumer an XGROUP CREATECONSUMER (no pending entry) or an XCLAIM per pending
    // entry (its delivery time and count, JUSTID FORCE).
    private static bool WriteStream(Rio r, byte[] key, RedisStream s)
    {
        if (s.Length > 0)
        {
            foreach ((StreamId id, byte[][] fields) in s.Entries)
            {
                if (!r.WriteBulkCount('*', 3 + fields.Length) || !r.WriteBulkString("XADD"u8) || !r.WriteBulkString(key) || !r.WriteBulkString(id.ToBytes()))
                {
                    return false;
                }

                foreach (byte[] f in fields)
                {
                    if (!r.WriteBulkString(f))
                    {
                        return false;
                    }
                }
            }
        }
        else if (!r.WriteBulkCount('*', 7) || !r.WriteBulkString("XADD"u8) || !r.WriteBulkString(key) || !r.WriteBulkString("MAXLEN"u8)
            || !r.WriteBulkString("0"u8) || !r.WriteBulkString("0-1"u8) || !r.WriteBulkString("x"u8) || !r.WriteBulkString("y"u8))
        {
            return false;
        }

        if (!r.WriteBulkCount('*', 7) || !r.WriteBulkString("XSETID"u8) || !r.WriteBulkString(key) || !r.WriteBulkString(s.LastId.ToBytes())
            || !r.WriteBulkString("ENTRIESADDED"u8) || !r.WriteBulkLongLong(s.EntriesAdded)
            || !r.WriteBulkString("MAXDELETEDID"u8) || !r.WriteBulkString(s.MaxDeletedId.ToBytes()))
        {
            return false;
        }

        foreach ((byte[] name, StreamGroup g) in s.Groups)
        {
            if (!r.WriteBulkCount('*', 7) || !r.WriteBulkString("XGROUP"u8) || !r.WriteBulkString("CREATE"u8) || !r.WriteBulkString(key)
                || !r.WriteBulkString(name) || !r.WriteBulkString(g.LastId.ToBytes()) || !r.WriteBulkString("ENTRIESREAD"u8) || !r.WriteBulkLongLong(g.EntriesRead))
            {
                return false;
            }

            foreach (StreamConsumer c in g.Consumers.Values)
            {
                if (c.Pel.Count == 0)
                {
                    if (!r.WriteBulkCount('*', 5) || !r.WriteBulkString("XGROUP"u8) || !r.WriteBulkString("CREATECONSUMER"u8) || !r.WriteBulkString(key)
                        || !r.WriteBulkString(name) || !r.WriteBulkString(c.Name))
                    {
                        return false;
                    }

                    continue;
                }

                foreach ((StreamId id, StreamNack nack) in c.Pel)
                {
                    if (!r.WriteBulkCount('*', 12) || !r.WriteBulkString("XCLAIM"u8) || !r.WriteBulkString(key) || !r.WriteBulkString(name)
                        || !r.WriteBulkString(c.Name) || !r.WriteBulkString("0"u8) || !r.WriteBulkString(id.ToBytes())
                        || !r.WriteBulkString("TIME"u8) || !r.WriteBulkLongLong(nack.DeliveryTime)
                        || !r.WriteBulkString("RETRYCOUNT"u8) || !r.WriteBulkLongLong(nack.DeliveryCount)
                        || !r.WriteBulkString("JUSTID"u8) || !r.WriteBulkString("FORCE"u8))
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    // The seed's batching: a header "*<2 + n*width>" with the command and key before every
    // run of at most 64 items, n being what is left, capped at 64. Called before each item
    // (a struct and plain loops per type: no enumerator or delegate per item).
    private ref struct Batch(ReadOnlySpan<byte> command, byte[] key, long items, int width)
    {
        private readonly ReadOnlySpan<byte> command = command;
        private long items = items;
        private long count;

        public bool Next(Rio r)
        {
            if (count == 0)
            {
                long cmdItems = Math.Min(items, ItemsPerCommand);
                if (!r.WriteBulkCount('*', 2 + (cmdItems * width)) || !r.WriteBulkString(command) || !r.WriteBulkString(key))
                {
                    return false;
                }
            }

            if (++count == ItemsPerCommand)
            {
                count = 0;
            }

            items--;
            return true;
        }
    }

    private static bool WriteError(IStorage storage, int fd, string tmpfile, Errno errno, IAofLog log)
    {
        storage.Close(fd);
        storage.Unlink(tmpfile);
        log.Log(LogLevel.Warning, $"Write error writing append only file on disk: {ErrnoText.Strerror(errno)}");
        return false;
    }
}
