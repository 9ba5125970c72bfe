namespace AofSim.Engine.Data;

/// <summary>The whole keyspace: 16 databases, as the seed's default <c>databases 16</c>.</summary>
public sealed class Dataset
{
    /// <summary>Number of databases.</summary>
    public const int DbCount = 16;

    private readonly Database[] dbs;

    /// <summary>Creates an empty dataset.</summary>
    public Dataset()
    {
        dbs = new Database[DbCount];
        for (int i = 0; i < DbCount; i++)
        {
            dbs[i] = new Database(this, i);
        }
    }

    /// <summary>The current fork epoch (see <see cref="RedisObject.Epoch"/>).</summary>
    public long Epoch { get; private set; }

    /// <summary>Database <paramref name="id"/>.</summary>
    public Database this[int id] => dbs[id];

    /// <summary>All databases in order.</summary>
    public IReadOnlyList<Database> Databases => dbs;

    /// <summary>Total keys over all databases (expired ones not yet reclaimed included).</summary>
    public long KeyCount => dbs.Sum(d => (long)d.Count);

    /// <summary>
    /// A point-in-time view, in O(databases): what fork() gives the seed's rewrite child. The live
    /// dataset copies on its next change, so the snapshot never changes and may be read from
    /// another thread while the live dataset goes on.
    /// </summary>
    public DatasetSnapshot Fork()
    {
        var views = new IReadOnlyDictionary<byte[], DbEntry>[DbCount];
        for (int i = 0; i < DbCount; i++)
        {
            views[i] = dbs[i].Freeze();
        }

        Epoch++;
        return new DatasetSnapshot(views);
    }

    /// <summary>Drops every key of every database (FLUSHALL).</summary>
    public void Clear()
    {
        foreach (Database db in dbs)
        {
            db.Clear();
        }
    }
}

/// <summary>An immutable view of a dataset at the moment of a <see cref="Dataset.Fork"/>.</summary>
public sealed class DatasetSnapshot
{
    private readonly IReadOnlyDictionary<byte[], DbEntry>[] views;

    internal DatasetSnapshot(IReadOnlyDictionary<byte[], DbEntry>[] views) => this.views = views;

    /// <summary>The entries of database <paramref name="id"/>, expired ones included.</summary>
    public IReadOnlyDictionary<byte[], DbEntry> this[int id] => views[id];
}
