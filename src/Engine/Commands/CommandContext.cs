using AofSim.Engine.Data;
using AofSim.Engine.Profiles;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Commands;

/// <summary>
/// Everything a command sees while it runs: the dataset and selected db, the clock, whether the
/// server is loading, where the reply goes and where writes propagate. The keyspace helpers
/// here are the seed's db.c (lookupKey with expireIfNeeded, setKey, dbDelete).
/// </summary>
public sealed class CommandContext
{
    private static readonly byte[] DelName = "DEL"u8.ToArray();

    /// <summary>Creates a context over <paramref name="data"/>.</summary>
    public CommandContext(Dataset data, Profile profile, IRandomSource random)
    {
        Data = data;
        Profile = profile;
        Random = random;
        Reply = new ReplyWriter(null);
    }

    /// <summary>The dataset.</summary>
    public Dataset Data { get; }

    /// <summary>Behaviour switches.</summary>
    public Profile Profile { get; }

    /// <summary>The source of chance for SPOP and SRANDMEMBER.</summary>
    public IRandomSource Random { get; }

    /// <summary>The selected database number.</summary>
    public int DbIndex { get; set; }

    /// <summary>The selected database.</summary>
    public Database Db => Data[DbIndex];

    /// <summary>Where the reply goes.</summary>
    public ReplyWriter Reply { get; set; }

    /// <summary>The clock, in Unix milliseconds, for this command (the seed's mstime()).</summary>
    public long NowMs { get; set; }

    /// <summary>The seed's server.loading: keys never expire while the AOF is replayed.</summary>
    public bool Loading { get; set; }

    /// <summary>The seed's server.dirty: changes made; a command that raises it is propagated.</summary>
    public long Dirty { get; set; }

    /// <summary>Where writes propagate (the AOF feed), or null while loading.</summary>
    public IPropagationSink? Sink { get; set; }

    /// <summary>
    /// Set by a command whose effect must be replayed by another command (the seed's
    /// rewriteClientCommandVector: SPOP as SREM, INCRBYFLOAT as SET, EXPIRE in the past as DEL).
    /// </summary>
    public CommandArgs? PropagateAs { get; set; }

    /// <summary>
    /// Set by a command that propagates what it did itself, through <see cref="AlsoPropagate"/>,
    /// rather than as its own argv (Redis 7's preventCommandPropagation: XCLAIM, XAUTOCLAIM).
    /// </summary>
    public bool PreventPropagation { get; set; }

    /// <summary>True while EXEC runs a transaction's commands, which are already wrapped in MULTI/EXEC.</summary>
    public bool InExec { get; set; }

    /// <summary>
    /// Redis 7's alsoPropagate and propagatePendingCommands: the commands are logged in order in
    /// the current db, wrapped in MULTI/EXEC when there are more than one (unless a transaction
    /// already wraps them). A no-op while loading, where nothing propagates.
    /// </summary>
    public void AlsoPropagate(IReadOnlyList<CommandArgs> commands)
    {
        if (Sink is null || commands.Count == 0)
        {
            return;
        }

        bool wrap = commands.Count > 1 && !InExec;
        if (wrap)
        {
            Sink.Propagate(CommandTable.Multi, DbIndex, CommandArgs.Of("MULTI"));
        }

        foreach (CommandArgs argv in commands)
        {
            Sink.Propagate(CommandTable.Lookup(argv[0])!, DbIndex, argv);
        }

        if (wrap)
        {
            Sink.Propagate(CommandTable.Exec, DbIndex, CommandArgs.Of("EXEC"));
        }
    }

    /// <summary>
    /// Runs the server commands (BGREWRITEAOF, CONFIG, INFO, SHUTDOWN, BGSAVE), which act on the
    /// server rather than the dataset; null where there is no server (the loader).
    /// </summary>
    public CommandHandler? ServerCommands { get; set; }

    /// <summary>
    /// Deletes <paramref name="key"/> if its expiry has passed, propagating a DEL as the seed's
    /// expireIfNeeded does, so that the AOF stays replayable. Never while loading.
    /// </summary>
    /// <returns>True when the key was expired and removed.</returns>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool ExpireIfNeeded(ReadOnlySpan<byte> key)
    {
        if (Loading || !Db.TryGet(key, out DbEntry entry) || !entry.IsExpiredAt(NowMs))
        {
            return false;
        }

        Db.Remove(key);
        Sink?.Propagate(CommandTable.Del, DbIndex, CommandArgs.Of(DelName, key.ToArray()));
        return true;
    }

    /// <summary>Looks a key up, expiring it first if due (lookupKeyRead/Write).</summary>
    public bool Lookup(ReadOnlySpan<byte> key, out DbEntry entry)
    {
        if (ExpireIfNeeded(key))
        {
            entry = default;
            return false;
        }

        return Db.TryGet(key, out entry);
    }

    /// <summary>
    /// Looks a key up and checks its type. Replies WRONGTYPE and returns false when it holds
    /// another type; otherwise returns true, with <paramref name="exists"/> telling if it was found.
    /// </summary>
    public bool LookupTyped(ReadOnlySpan<byte> key, RedisType type, out DbEntry entry, out bool exists)
    {
        exists = Lookup(key, out entry);
        if (exists && entry.Type != type)
        {
            Reply.Error(Errors.WrongType);
            return false;
        }

        return true;
    }

    /// <summary>setKey: stores a value, dropping any expiry (as SET does).</summary>
    public void SetKey(ReadOnlySpan<byte> key, object value) => Db.Set(key, value, DbEntry.NoExpiry);

    /// <summary>dbDelete.</summary>
    public bool Delete(ReadOnlySpan<byte> key) => Db.Remove(key);

    /// <summary>
    /// How the *STORE commands end: a non-empty result replaces the destination, whatever it held;
    /// an empty one deletes it (a change only if it existed). The reply is the result's size.
    /// </summary>
    public void StoreResult(ReadOnlySpan<byte> dst, RedisObject? value, int count)
    {
        if (count > 0 && value is not null)
        {
            Lookup(dst, out _);
            Db.Set(dst, value, DbEntry.NoExpiry);
            Dirty++;
            Reply.Integer(count);
            return;
        }

        Reply.Integer(0);
        ExpireIfNeeded(dst);
        if (Delete(dst))
        {
            Dirty++;
        }
    }

    /// <summary>Deletes <paramref name="key"/> when its collection has no element left: Redis never keeps an empty one.</summary>
    public void DeleteIfEmpty(ReadOnlySpan<byte> key, int count)
    {
        if (count == 0)
        {
            Db.Remove(key);
        }
    }

    /// <summary>The bytes of a string value.</summary>
    public static ReadOnlySpan<byte> StringBytes(object value) =>
        // An exact type test: `is byte[]` would go through the runtime's array cast helper.
        value.GetType() == typeof(byte[]) ? System.Runtime.CompilerServices.Unsafe.As<byte[]>(value) : ((RedisString)value).Span;

    /// <summary>Asks that the command be propagated as <paramref name="argv"/> instead of itself.</summary>
    public void Rewrite(params byte[][] argv) => PropagateAs = CommandArgs.Of(argv);
}
