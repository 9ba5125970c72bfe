using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO.Abstractions;
using System.Text.RegularExpressions;
using AofSim.Engine.Adapters;
using AofSim.Engine.Aof;
using AofSim.Engine.Data;
using AofSim.Engine.Ports;
using AofSim.Engine.Profiles;
using AofSim.Engine.Resp;
using AofSim.Engine.Text;

namespace AofSim.Sim.Cli;

/// <summary>
/// <c>aofsim bench</c>: the loading benchmark. Writes a classic AOF of N <c>SET key:i val:i</c>
/// commands, loads it with the engine several times, and, with --compare-redis, has a real
/// redis-server load the same file and reads its "DB loaded from append only file" line.
/// </summary>
internal static partial class BenchVerb
{
    public static Command Build(CliIo io)
    {
        var commands = new Option<int>("--commands") { Description = "SET commands in the generated AOF", DefaultValueFactory = _ => 1_000_000 }.Within(1, int.MaxValue);
        var runs = new Option<int>("--runs") { Description = "Loads to time (the best and the median are reported)", DefaultValueFactory = _ => 5 }.Within(1, int.MaxValue);
        var redis = new Option<bool>("--compare-redis") { Description = "Also time redis-server (from PATH) loading the same file" };
        var cmd = new Command("bench", "Benchmark AOF loading, optionally side by side with redis-server") { commands, runs, redis };
        cmd.SetAction(r => Run(io, r.GetValue(commands), r.GetValue(runs), r.GetValue(redis)));
        cmd.Add(SimBenchVerb.Build(io));
        return cmd;
    }

    public static int Run(CliIo io, int commands, int runs, bool compareRedis)
    {
        if (commands < 1 || runs < 1)
        {
            throw new UsageException("--commands and --runs must be positive");
        }

        string dir = Directory.CreateTempSubdirectory("aofsim-bench-").FullName;
        try
        {
            string path = Path.Combine(dir, "appendonly.aof");
            long size = Generate(path, commands);
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"file: {commands} x SET key:i val:i, {size} bytes ({size / 1e6:F1} MB)"));

            var fs = new FileSystem();
            var times = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                var data = new Dataset();
                using var storage = new FileSystemStorage(fs, dir);
                var clock = Stopwatch.StartNew();
                LoadResult result = AofLoader.Load(storage, "appendonly.aof", data, Profile.Fixed, new LoadOptions());
                double s = clock.Elapsed.TotalSeconds;
                if (result.Outcome != LoadOutcome.Loaded || data[0].Count != commands)
                {
                    io.Err.WriteLine($"benchmark load failed: {result.Outcome} {result.Message}");
                    return 1;
                }

                times.Add(s);
                io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"aofsim load run {i + 1}: {s:F3} s"));
            }

            times.Sort();
            double best = times[0], median = times[times.Count / 2];
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"aofsim load: best {best:F3} s, median {median:F3} s, {commands / best:F0} commands/s, {size / 1e6 / best:F1} MB/s"));

            if (compareRedis)
            {
                double? redis = TimeRedis(io, path);
                if (redis is double r)
                {
                    io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"redis-server load: {r:F3} s, {commands / r:F0} commands/s; aofsim best is {r / best:F2}x redis-server"));
                }
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Writes N <c>SET key:i val:i</c> commands in the seed's format; returns the size.</summary>
    public static long Generate(string path, int commands)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var buf = new ByteBuffer(1 << 16);
        byte[] set = "SET"u8.ToArray();
        buf.Append("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"u8);
        for (int i = 0; i < commands; i++)
        {
            byte[] n = Numbers.Int64Bytes(i);
            RespCommand.Append(buf, set, [.. "key:"u8, .. n], [.. "val:"u8, .. n]);
            if (buf.Length > 60_000)
            {
                file.Write(buf.Span);
                buf.Clear();
            }
        }

        file.Write(buf.Span);
        return file.Length;
    }

    // Starts redis-server on a copy of the file in a fresh dir and reads how long it took to load.
    private static double? TimeRedis(CliIo io, string aofPath)
    {
        string redisDir = Directory.CreateTempSubdirectory("aofsim-bench-redis-").FullName;
        try
        {
            File.Copy(aofPath, Path.Combine(redisDir, "appendonly.aof"));
            string logFile = Path.Combine(redisDir, "redis.log");
            int port = 17000 + (Environment.ProcessId % 1000);
            var psi = new ProcessStartInfo("redis-server")
            {
                ArgumentList =
                {
                    "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--daemonize", "no", "--save", string.Empty,
                    "--dir", redisDir, "--appendonly", "yes", "--appendfilename", "appendonly.aof",
                    "--aof-use-rdb-preamble", "no", "--logfile", logFile,
                },
                UseShellExecute = false,
            };
            Process? p;
            try
            {
                p = Process.Start(psi);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                io.Err.WriteLine("redis-server not found on PATH: comparison skipped");
                return null;
            }

            if (p is null)
            {
                return null;
            }

            using (p)
            {
                try
                {
                    var deadline = Stopwatch.StartNew();
                    while (deadline.Elapsed < TimeSpan.FromMinutes(2) && !p.HasExited)
                    {
                        string text = File.Exists(logFile) ? File.ReadAllText(logFile) : string.Empty;
                        Match m = LoadedLine().Match(text);
                        if (m.Success)
                        {
                            return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                        }

                        p.WaitForExit(100);
                    }

                    io.Err.WriteLine("redis-server did not report loading the AOF in time: comparison skipped");
                    return null;
                }
                finally
                {
                    if (!p.HasExited)
                    {
                        p.Kill();
                        p.WaitForExit();
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(redisDir, recursive: true);
        }
    }

    [GeneratedRegex(@"DB loaded from append only file: ([0-9.]+) seconds")]
    private static partial Regex LoadedLine();
}
