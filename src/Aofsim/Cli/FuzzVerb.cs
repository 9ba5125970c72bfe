using System.CommandLine;
using System.Globalization;
using AofSim.Sim.Fuzzing;

namespace AofSim.Sim.Cli;

/// <summary>
/// <c>aofsim fuzz</c>: the seeded mutational fuzzer of the loader, the checker and the manifest
/// parser (docs/fuzzing.md). Exit 0 iff no input crashed, hung, over-allocated or, where
/// compared, disagreed with redis-check-aof.
/// </summary>
internal static class FuzzVerb
{
    public static Command Build(CliIo io)
    {
        var inputs = new Option<long>("--inputs") { Description = "Mutated inputs to run", DefaultValueFactory = _ => 100_000 }.Within(1L, long.MaxValue);
        var seed = new Option<ulong>("--seed") { Description = "The run's seed: input i is a function of (seed, i)", DefaultValueFactory = _ => 1UL };
        var first = new Option<long>("--first") { Description = "Index of the first input (to rerun one: --first I --inputs 1)", DefaultValueFactory = _ => 0L }.Within(0L, long.MaxValue);
        var corpus = new Option<string>("--corpus") { Description = "Directory of seed AOFs and manifests", DefaultValueFactory = _ => "tests/corpus" };
        var outDir = new Option<string?>("--out") { Description = "Directory to save each failing input into" };
        var compare = new Option<long>("--compare-redis") { Description = "Also check every N-th input with redis-check-aof (from PATH) and compare, line for line (0: never)", DefaultValueFactory = _ => 0L }.Within(0L, long.MaxValue);
        var cmd = new Command("fuzz", "Fuzz the loader, the checker and the manifest parser with mutated AOFs; exit 0 iff nothing crashed, hung or over-allocated") { inputs, seed, first, corpus, outDir, compare };
        cmd.SetAction(r => Run(io, r.GetValue(corpus)!, r.GetValue(seed), r.GetValue(first), r.GetValue(inputs), r.GetValue(outDir), r.GetValue(compare)));
        return cmd;
    }

    public static int Run(CliIo io, string corpusDir, ulong seed, long first, long count, string? outDir, long compareEvery)
    {
        if (!Directory.Exists(corpusDir))
        {
            throw new UsageException($"no such corpus directory: {corpusDir}");
        }

        List<byte[]> corpus = [.. Directory.GetFiles(corpusDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];
        if (corpus.Count == 0)
        {
            throw new UsageException($"the corpus directory {corpusDir} holds no file");
        }

        using RedisCheckAofOracle? oracle = compareEvery > 0 ? new RedisCheckAofOracle() : null;
        if (oracle is not null && !RedisCheckAofOracle.Available())
        {
            throw new UsageException("--compare-redis needs redis-check-aof on PATH");
        }

        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
        }

        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"aofsim fuzz: seed {seed}, inputs {first}..{first + count - 1}, corpus {corpus.Count} files ({corpus.Sum(c => c.Length)} bytes)"));
        long step = Math.Max(1, count / 10);
        var fuzzer = new AofFuzzer(corpus, seed);
        FuzzReport r = fuzzer.Run(
            first,
            count,
            oracle,
            compareEvery,
            done =>
            {
                if (done % step == 0)
                {
                    io.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"progress: {done}/{count} inputs"));
                }
            },
            outDir is null ? null : (i, input, why) =>
            {
                File.WriteAllBytes(Path.Combine(outDir, $"input-{i}.aof"), input);
                File.WriteAllText(Path.Combine(outDir, $"input-{i}.txt"), why + "\n");
            });

        TextWriter w = io.Out;
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"inputs {r.Inputs} ({r.Bytes} bytes) in {r.Seconds:F1} s: {r.Inputs / Math.Max(r.Seconds, 1e-9):F0} inputs/s"));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"crashes {r.Crashes}, hangs {r.Hangs}, over-allocations {r.OverAllocations}"));
        w.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"allocation: bound {AofFuzzer.AllocationBase} + {AofFuzzer.AllocationPerByte} x input bytes; max {r.MaxAllocated} bytes, max {r.MaxAllocationRatio:F3} of the bound, max {r.MaxBytesPerInputByte:F1} bytes per input byte (inputs of 4 KB or more)"));
        w.WriteLine("load outcomes: " + string.Join(", ", r.Outcomes.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value}"))));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"checker: valid {r.CheckerValid}, not valid {r.Inputs - r.CheckerValid}"));
        if (oracle is not null)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"redis-check-aof: compared {r.Compared}, agreed {r.Agreed}, disagreed {r.Disagreed}, redis-check-aof died {r.RedisDied}, agreed but for a stack byte redis-check-aof printed unread {r.Unpredictable}"));
        }

        foreach (string f in r.Failures)
        {
            w.WriteLine(f);
        }

        return r.Clean ? 0 : 1;
    }
}
