namespace AofSim.Blackbox.Running;

/// <summary>
/// One batch a connection sent (one write, or a MULTI … EXEC block), with the moments it left
/// and its last reply arrived, in unix ms. Acknowledged = every reply of the batch received.
/// </summary>
public sealed class ClientBatch
{
    /// <summary>A batch sent in the workload's db <paramref name="db"/>.</summary>
    public ClientBatch(int index, int db, IReadOnlyList<string[]> argv, long sentMs)
    {
        Index = index;
        Db = db;
        Argv = argv;
        SentMs = sentMs;
    }

    /// <summary>Its place among the connection's batches of the cycle.</summary>
    public int Index { get; }

    /// <summary>The workload's db (0..3; the connection maps it to its own).</summary>
    public int Db { get; }

    /// <summary>The commands as sent ({now+N} already replaced).</summary>
    public IReadOnlyList<string[]> Argv { get; }

    /// <summary>When it was written to the socket.</summary>
    public long SentMs { get; }

    /// <summary>When its last reply arrived (null: never).</summary>
    public long? RepliedMs { get; set; }

    /// <summary>The replies, one per command, as they arrived.</summary>
    public List<Resp.RespReply> Replies { get; } = [];

    /// <summary>Every reply arrived.</summary>
    public bool Acked => RepliedMs is not null;

    /// <summary>Write commands in the batch (MULTI and EXEC not counted).</summary>
    public int Writes => Argv.Count(a => a[0] is not ("MULTI" or "EXEC"));
}
