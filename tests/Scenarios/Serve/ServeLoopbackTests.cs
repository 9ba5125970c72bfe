using System.Collections.Concurrent;
using System.Globalization;
using AofSim.Scenarios.Interop;

namespace AofSim.Scenarios.Serve;

/// <summary>
/// <c>aofsim serve</c> driven over loopback by real RESP clients on threads: Redis's aof-race
/// test (concurrent INCR while BGREWRITEAOF runs) and kill -9 under appendfsync always.
/// </summary>
public sealed class ServeLoopbackTests
{
    [Fact]
    public void ConcurrentIncrWhileRewritingIsExactLiveAndAfterRestart()
    {
        using var dir = new TempDir("aofsim-serve-");
        const int clients = 10, perClient = 200;
        using (ServeProcess serve = ServeProcess.Start(dir.Path, "--appendfsync", "everysec"))
        {
            var errors = new ConcurrentQueue<string>();
            var workers = Enumerable.Range(0, clients).Select(_ => new Thread(() =>
            {
                using RespClient c = serve.Connect();
                for (int i = 0; i < perClient; i++)
                {
                    RespValue r = c.Call("INCR", "counter");
                    if (r.IsError)
                    {
                        errors.Enqueue(r.ToString());
                    }
                }
            })).ToList();
            workers.ForEach(t => t.Start());

            // Rewrites while the clients write: each must append the diff exactly once. An I/O
            // error here means the server went away: its output says why.
            try
            {
                RewriteWhileWorkersRun(serve, workers, errors, clients * perClient);
            }
            catch (IOException e)
            {
                throw new InvalidOperationException($"{e.Message}; server output:\n{serve.Output}", e);
            }

            Assert.True(serve.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.Equal(0, serve.ExitCode);
        }

        using ServeProcess again = ServeProcess.Start(dir.Path);
        using RespClient check = again.Connect();
        Assert.Equal((clients * perClient).ToString(CultureInfo.InvariantCulture), check.Call("GET", "counter").Text);
    }

    [Fact]
    public void UnderAlwaysEveryAcknowledgedWriteSurvivesKillMinus9()
    {
        using var dir = new TempDir("aofsim-serve-");
        var acked = new ConcurrentDictionary<string, string>();
        using (ServeProcess serve = ServeProcess.Start(dir.Path, "--appendfsync", "always"))
        {
            var writer = new Thread(() =>
            {
                try
                {
                    using RespClient c = serve.Connect();
                    for (int i = 0; i < 100_000; i++)
                    {
                        string key = $"k{i}", value = $"v{i}";
                        if (c.Call("SET", key, value).Text == "OK")
                        {
                            acked[key] = value;
                        }

                        if (i % 150 == 0)
                        {
                            c.Call("BGREWRITEAOF");
                        }
                    }
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
                {
                    // the server was killed under us
                }
            });
            writer.Start();
            var deadline = System.Diagnostics.Stopwatch.StartNew();
            while (acked.Count < 500 && deadline.Elapsed < TimeSpan.FromSeconds(60) && writer.IsAlive)
            {
                Thread.Yield();
            }

            serve.Kill9();
            writer.Join();
        }

        Assert.True(acked.Count >= 500, $"only {acked.Count} writes acknowledged before the kill");
        using ServeProcess again = ServeProcess.Start(dir.Path);
        using RespClient check = again.Connect();
        foreach ((string key, string value) in acked)
        {
            Assert.Equal(value, check.Call("GET", key).Text);
        }
    }

    private static void RewriteWhileWorkersRun(ServeProcess serve, List<Thread> workers, ConcurrentQueue<string> errors, int expected)
    {
        using RespClient admin = serve.Connect();
        int started = 0;
        for (int i = 0; i < 200 && workers.Any(t => t.IsAlive); i++)
        {
            if (admin.Call("BGREWRITEAOF").Text.Contains("started", StringComparison.Ordinal))
            {
                started++;
            }
        }

        workers.ForEach(t => t.Join());
        Assert.True(started >= 1, "no rewrite started while the clients wrote");
        Assert.Empty(errors);
        Assert.Equal(expected.ToString(CultureInfo.InvariantCulture), admin.Call("GET", "counter").Text);
        WaitForNoRewrite(admin);

        // SHUTDOWN answers by closing the connection, as redis-server does.
        Assert.Throws<IOException>(() => admin.Call("SHUTDOWN"));
    }

    private static void WaitForNoRewrite(RespClient admin)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (admin.Call("INFO").Text.Contains("aof_rewrite_in_progress:0", StringComparison.Ordinal))
            {
                return;
            }

            Thread.Yield();
        }
    }
}
