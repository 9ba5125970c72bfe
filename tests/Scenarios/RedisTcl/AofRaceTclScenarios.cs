using System.Collections.Concurrent;
using System.Globalization;
using AofSim.Engine.Commands;
using AofSim.Engine.Profiles;
using AofSim.Engine.Server;
using AofSim.Scenarios.Interop;
using AofSim.Scenarios.Serve;
using AofSim.Scenarios.Server;

namespace AofSim.Scenarios.RedisTcl;

/// <summary>
/// Redis 2.6's tests/integration/aof-race.tcl: 20 clients run 20,000 INCR foo while a
/// BGREWRITEAOF runs; foo must be 20000 live and after a restart (the regression: the rewrite
/// buffer was not emptied after the child exited and was appended again, doubling commands).
/// Twice: on real threads against <c>aofsim serve</c> (redis-benchmark's shape), and
/// deterministically in-process with the 20 clients interleaved around the rewrite's steps.
/// </summary>
public sealed class AofRaceTclScenarios
{
    private const int Clients = 20, Requests = 20_000;

    [Fact]
    [Trait("tcl", "aof-race.tcl: 20 clients x INCR foo during BGREWRITEAOF, foo exact live and after restart")]
    public void IncrFromTwentyClientsDuringBgrewriteaofOverLoopback()
    {
        using var dir = new TempDir("aofsim-tcl-race-");
        using (ServeProcess serve = ServeProcess.Start(dir.Path, "--appendfsync", "everysec"))
        {
            var errors = new ConcurrentQueue<string>();
            int next = 0;
            using var running = new CountdownEvent(Clients);
            var workers = Enumerable.Range(0, Clients).Select(_ => new Thread(() =>
            {
                using RespClient c = serve.Connect();
                running.Signal();

                // redis-benchmark -c 20 -n 20000: the clients share the 20,000 requests.
                while (Interlocked.Increment(ref next) <= Requests)
                {
                    RespValue r = c.Call("INCR", "foo");
                    if (r.IsError)
                    {
                        errors.Enqueue(r.ToString());
                    }
                }
            })).ToList();
            workers.ForEach(t => t.Start());

            using (RespClient client = serve.Connect())
            {
                // The benchmark runs: start the background rewrite (the Tcl test waits 100 ms).
                running.Wait();
                Assert.Contains("Background append only file rewriting", client.Call("BGREWRITEAOF").Text, StringComparison.Ordinal);
                workers.ForEach(t => t.Join());
                Assert.Empty(errors);
                Assert.Equal(Requests.ToString(CultureInfo.InvariantCulture), client.Call("GET", "foo").Text);

                // Let the rewrite end (its diff goes into the new file) before the restart.
                var waited = System.Diagnostics.Stopwatch.StartNew();
                while (!client.Call("INFO").Text.Contains("aof_rewrite_in_progress:0", StringComparison.Ordinal))
                {
                    Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the rewrite did not end");
                    Thread.Yield();
                }

                Assert.Throws<IOException>(() => client.Call("SHUTDOWN"));
            }

            Assert.True(serve.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.Equal(0, serve.ExitCode);
        }

        // Restart server to replay AOF.
        using ServeProcess again = ServeProcess.Start(dir.Path);
        using RespClient check = again.Connect();
        Assert.Equal(Requests.ToString(CultureInfo.InvariantCulture), check.Call("GET", "foo").Text);
    }

    [Theory]
    [InlineData("redis26")]
    [InlineData("fixed")]
    [Trait("tcl", "aof-race.tcl: 20 clients x INCR foo during BGREWRITEAOF, foo exact live and after restart")]
    public void IncrFromTwentyClientsAroundEveryRewriteStepInProcess(string profile)
    {
        var h = new ServerHarness(Profile.TryGet(profile, out Profile p) ? p : throw new ArgumentException(profile), AppendFsync.Everysec);
        Connection[] clients = [.. Enumerable.Range(0, Clients).Select(_ => new Connection())];
        int sent = 0;

        // One INCR from each client, then let the loop run an event-loop turn.
        void Round()
        {
            foreach (Connection c in clients)
            {
                h.Loop.Execute(c, CommandArgs.Of("INCR", "foo"));
                sent++;
            }

            h.Loop.BeforeSleep();
            h.Tick(7);
        }

        for (int i = 0; i < 100; i++)
        {
            Round();
        }

        Assert.Equal("+Background append only file rewriting started\r\n", h.Call("BGREWRITEAOF"));
        int pid = h.Core.AofChildPid;
        for (int i = 0; i < 400; i++)
        {
            Round(); // while the child runs: into the AOF and the rewrite buffer
        }

        Assert.Equal(0, h.Children.Finish(pid));
        for (int i = 0; i < 500; i++)
        {
            Round(); // the done handler runs in one of these turns; the rest go to the new file
        }

        Assert.Equal(Requests, sent);
        Assert.Equal(-1, h.Core.AofChildPid);
        Assert.Contains("Background AOF rewrite finished successfully", h.Messages);
        Assert.Contains(h.Messages, m => m.StartsWith("Parent diff successfully flushed to the rewritten AOF (", StringComparison.Ordinal) && !m.Contains("(0 bytes)", StringComparison.Ordinal));
        Assert.Equal("$5\r\n20000\r\n", h.Call("GET foo"));

        h.Tick(3000);
        var again = new ServerHarness(h.Core.Profile, AppendFsync.Everysec, existingAof: h.Aof);
        Assert.Null(again.Core.Stopped);
        Assert.Equal("$5\r\n20000\r\n", again.Call("GET foo"));
    }
}
