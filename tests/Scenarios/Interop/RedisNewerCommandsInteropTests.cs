using System.Globalization;
using System.Text;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Profiles;
using AofSim.Engine.Text;
using AofSim.Sim;
using Xunit.Abstractions;

namespace AofSim.Scenarios.Interop;

/// <summary>
/// The commands Redis 7 writes to its AOF beyond the seed's (SETRANGE, SETBIT, UNLINK, COPY,
/// ZPOPMIN, SWAPDB, PFADD/PFCOUNT/PFMERGE, the stream commands) against a real redis-server
/// 7.0: the same commands give the same replies and the same bytes (HLLs), and the engine loads
/// Redis's own AOF directory, as written and after BGREWRITEAOF, to the dataset Redis holds.
/// </summary>
public sealed class RedisNewerCommandsInteropTests(ITestOutputHelper output)
{
    // ---------------------------------------------------------------- HLL bytes, command by command

    [RedisFact]
    public void HyperLogLogBytesAndRepliesMatchRedisAcrossTheDensePromotion()
    {
        using var dir = new TempDir();
        using RedisServer server = RedisServer.Start(dir.Path, "--save", string.Empty);
        using RespClient c = server.Connect();
        var engine = new EngineClient();

        var script = new List<string[]>();
        for (int i = 0; i < 3000; i += 7)
        {
            script.Add(["PFADD", "h", .. Enumerable.Range(i, 7).Select(n => "e" + n.ToString(CultureInfo.InvariantCulture))]);
            if (i % 70 == 0)
            {
                script.Add(["PFCOUNT", "h"]);
                script.Add(["PFADD", "small", "x" + i.ToString(CultureInfo.InvariantCulture)]);
                script.Add(["PFCOUNT", "small"]);
            }
        }

        script.Add(["PFADD", "h", "e5"]); // no change
        script.Add(["PFADD", "empty"]);
        script.Add(["PFCOUNT", "h", "small", "missing"]);
        script.Add(["PFMERGE", "m1", "small", "empty"]);
        script.Add(["PFMERGE", "m2", "small", "h"]);
        script.Add(["PFMERGE", "small", "m1"]);
        script.Add(["PFCOUNT", "m1"]);
        script.Add(["PFCOUNT", "m2"]);
        script.Add(["SET", "str", "not an hll"]);
        script.Add(["PFADD", "str", "a"]);
        script.Add(["PFCOUNT", "str"]);
        script.Add(["RPUSH", "list", "a"]);
        script.Add(["PFADD", "list", "a"]);

        bool sawSparse = false, sawDense = false;
        foreach (string[] cmd in script)
        {
            string redisReply = c.Call(cmd).ToString();
            string engineReply = engine.Call(cmd);
            Assert.True(redisReply == engineReply, $"{string.Join(' ', cmd)}: redis replied {redisReply}, the engine {engineReply}");
            foreach (string key in new[] { "h", "small", "m1", "m2", "empty" })
            {
                RespValue redisValue = c.Call("GET", key);
                if (redisValue.Kind != RespKind.Bulk)
                {
                    continue;
                }

                byte[] engineValue = engine.Get(key);
                Assert.True(redisValue.Bytes!.AsSpan().SequenceEqual(engineValue), $"after {string.Join(' ', cmd)}, {key}: redis holds {redisValue.Bytes!.Length} bytes, the engine {engineValue.Length}; first difference at {FirstDifference(redisValue.Bytes!, engineValue)}");
                sawSparse |= redisValue.Bytes![4] == 1;
                sawDense |= redisValue.Bytes![4] == 0;
            }
        }

        Assert.True(sawSparse && sawDense, "the script should have seen both encodings");
        output.WriteLine($"{script.Count} commands; every reply and every HLL byte equal");
    }

    private static int FirstDifference(byte[] a, byte[] b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return i;
            }
        }

        return n;
    }

    // The engine's command processor as a client replying RESP2, for reply comparison in Redis's
    // own rendering (RespValue.ToString of the parsed bytes).
    private sealed class EngineClient
    {
        private readonly Dataset data = new();
        private readonly CommandProcessor processor;
        private readonly Client client = new();

        public EngineClient() => processor = new CommandProcessor(data, Profile.Fixed, new SplitMix64(3));

        public string Call(string[] argv)
        {
            var output = new ByteBuffer();
            processor.Execute(client, CommandArgs.Of(argv), new ReplyWriter(output), 1_700_000_000_000);
            return RespClient.Parse(output.Span.ToArray()).ToString();
        }

        public byte[] Get(string key) =>
            data[client.Db].TryGet(Encoding.Latin1.GetBytes(key), out DbEntry e) ? CommandContext.StringBytes(e.Value).ToArray() : [];
    }
}
