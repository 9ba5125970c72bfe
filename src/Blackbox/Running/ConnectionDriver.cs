using System.Globalization;
using AofSim.Blackbox.Resp;
using AofSim.Sim.Simulating;

namespace AofSim.Blackbox.Running;

/// <summary>
/// One client connection: the simulator's seeded <see cref="Workload"/> (its own stream per
/// connection, going on across the cycles of a run), sent one batch at a time, every reply
/// recorded with the moment it arrived. Connection <c>c</c> uses dbs <c>4c..4c+3</c> for the
/// workload's dbs 0..3, so connections never share a key and FLUSHDB stays in its connection.
/// </summary>
public sealed class ConnectionDriver
{
    /// <summary>dbs per connection (the workload's 0..3).</summary>
    public const int DbsPerConnection = 4;

    private readonly Workload workload;

    /// <summary>Connection <paramref name="id"/> of a run of <paramref name="seed"/>.</summary>
    public ConnectionDriver(ulong seed, int id)
    {
        Id = id;
        workload = new Workload(SimRandom.Stream(seed, "blackbox-connection-" + id.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>The connection's number.</summary>
    public int Id { get; }

    /// <summary>The batches of the current cycle, in order.</summary>
    public List<ClientBatch> Batches { get; } = [];

    /// <summary>The target's db for the workload's <paramref name="db"/>.</summary>
    public int RealDb(int db) => (Id * DbsPerConnection) + db;

    /// <summary>Unix time in ms: what the target's clock reads too.</summary>
    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>
    /// Sends batches to <paramref name="port"/> until <paramref name="mayContinue"/> says no (it is
    /// asked after each send, and may kill the target) or the connection fails (the target died).
    /// </summary>
    public void Run(int port, Func<bool> mayContinue, TimeSpan timeout)
    {
        Batches.Clear();
        RespConnection conn;
        try
        {
            conn = new RespConnection(port, timeout);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return;
        }

        using (conn)
        {
            int current = -1;
            try
            {
                while (true)
                {
                    int db = workload.NextDb();
                    List<string[]> batch = workload.NextBatch();
                    if (db != current)
                    {
                        conn.Must("SELECT", RealDb(db).ToString(CultureInfo.InvariantCulture));
                        current = db;
                    }

                    long now = NowMs();
                    List<string[]> argv = [.. batch.Select(a => a.Select(x => Resolve(x, now)).ToArray())];
                    var sent = new ClientBatch(Batches.Count, db, argv, now);
                    lock (Batches)
                    {
                        Batches.Add(sent);
                    }

                    conn.SendAll(argv);
                    bool go = mayContinue();
                    var replies = new List<RespReply>();
                    foreach (string[] _ in argv)
                    {
                        replies.Add(conn.Read());
                    }

                    sent.Replies.AddRange(replies);
                    sent.RepliedMs = NowMs();
                    if (!go)
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // The target was killed (or died): the batch in flight stays unacknowledged.
            }
        }
    }

    // "{now+N}": the unix time in ms at sending plus N (the simulator puts its virtual time there).
    private static string Resolve(string arg, long now) =>
        arg.StartsWith("{now+", StringComparison.Ordinal) && arg.EndsWith('}')
            ? (now + long.Parse(arg.AsSpan(5, arg.Length - 6), CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture)
            : arg;
}
