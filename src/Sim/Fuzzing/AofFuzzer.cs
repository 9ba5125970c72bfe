using AofSim.Engine.Aof;
using AofSim.Engine.Commands;
using AofSim.Engine.Data;
using AofSim.Engine.Profiles;

namespace AofSim.Sim.Fuzzing;

/// <summary>
/// The in-process fuzzing target for the loader, the checker and the manifest parser. Input i of
/// a run is a function of (seed, i) alone (<see cref="Input"/>): a mutated corpus entry, fed to
/// the loader under one of sixteen variants (profile, aof-load-truncated, the whole file in place,
/// a stream of known size, a stream with no size, the storage path on a file that grew) and to the checker (with and without a size),
/// read in chunks of one seeded size. Each input must end in a result, never an exception; each
/// must finish within a bound on reads (<see cref="FuzzStream"/>); and each must allocate no more
/// than <see cref="AllocationBound"/> of its size, so that no allocation follows a claim.
/// </summary>
public sealed class AofFuzzer
{
    /// <summary>What any input may allocate besides its per-byte share: the loader's and the checker's first buffers.</summary>
    public const long AllocationBase = 256 * 1024;

    /// <summary>What an input may allocate per byte of itself (a dataset of many tiny keys costs most).</summary>
    public const long AllocationPerByte = 64;

    /// <summary>The loader's variants: profile (bit 0), aof-load-truncated (bit 1), in place / stream with a size / stream without one / storage with a file that grew (bits 2-3).</summary>
    public const int Variants = 16;

    private const int MaxFailures = 20;

    private static readonly int[] Chunks = [1, 2, 3, 7, 64, 4096, int.MaxValue, int.MaxValue];

    private readonly AofMutator mutator;
    private readonly ulong seed;

    /// <summary>A fuzzer over <paramref name="corpus"/> whose inputs follow from <paramref name="seed"/>.</summary>
    public AofFuzzer(IReadOnlyList<byte[]> corpus, ulong seed)
    {
        mutator = new AofMutator(corpus);
        this.seed = seed;
    }

    /// <summary>The most an input of <paramref name="length"/> bytes may allocate.</summary>
    public static long AllocationBound(long length) => AllocationBase + (AllocationPerByte * length);

    /// <summary>Input <paramref name="index"/> of this run, with the generator that picks its variant.</summary>
    public (byte[] Input, SplitMix64 Rng) Input(long index)
    {
        var rng = new SplitMix64((seed * 0x9E3779B97F4A7C15UL) ^ (ulong)index);
        return (mutator.Next(rng), rng);
    }

    /// <summary>
    /// Runs inputs <paramref name="first"/>.. of this run, <paramref name="count"/> of them;
    /// every <paramref name="compareEvery"/>-th is also compared with <paramref name="oracle"/>
    /// when one is given. <paramref name="save"/> receives each failing input.
    /// </summary>
    public FuzzReport Run(long first, long count, RedisCheckAofOracle? oracle = null, long compareEvery = 0, Action<long>? progress = null, Action<long, byte[], string>? save = null)
    {
        // Warm-up: the first call of each path JITs and builds static tables, allocations that
        // belong to no input. The corpus itself goes through every variant once, unmeasured.
        for (int v = 0; v < Variants; v++)
        {
            (byte[] warm, _) = Input(-1 - v);
            _ = Target(warm, v, 7);
        }

        var outcomes = new Dictionary<string, long>();
        var failures = new List<string>();
        long bytes = 0, crashes = 0, hangs = 0, over = 0, maxAlloc = 0, valid = 0, compared = 0, agreed = 0, died = 0, unpredictable = 0;
        double maxRatio = 0, maxPerByte = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan oracleTime = TimeSpan.Zero;
        for (long i = first; i < first + count; i++)
        {
            (byte[] input, SplitMix64 rng) = Input(i);
            int variant = rng.Next(Variants);
            int chunk = Chunks[rng.Next(Chunks.Length)];
            bytes += input.Length;
            string? failure = null;
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                (LoadOutcome outcome, bool ok) = Target(input, variant, chunk);
                string name = outcome.ToString();
                outcomes[name] = outcomes.GetValueOrDefault(name) + 1;
                valid += ok ? 1 : 0;
            }
            catch (FuzzHangException e)
            {
                hangs++;
                failure = $"hang: {e.Message}";
            }
            catch (Exception e)
            {
                crashes++;
                failure = $"crash: {e.GetType().Name}: {e.Message} at {e.StackTrace?.Split('\n')[0].Trim()}";
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            long bound = AllocationBound(input.Length);
            maxAlloc = Math.Max(maxAlloc, allocated);
            maxRatio = Math.Max(maxRatio, (double)allocated / bound);
            if (input.Length >= 4096)
            {
                maxPerByte = Math.Max(maxPerByte, (double)allocated / input.Length);
            }

            if (allocated > bound && failure is null)
            {
                over++;
                failure = $"allocation: {allocated} bytes for a {input.Length}-byte input (bound {bound})";
            }

            if (oracle is not null && compareEvery > 0 && (i - first) % compareEvery == 0 && !AofManifest.IsRdb(input))
            {
                var oracleClock = System.Diagnostics.Stopwatch.StartNew();
                RedisCheckAofOracle.Verdict verdict = oracle.Compare(input);
                oracleTime += oracleClock.Elapsed;
                compared++;
                agreed += verdict == RedisCheckAofOracle.Verdict.Agreed ? 1 : 0;
                died += verdict == RedisCheckAofOracle.Verdict.RedisDied ? 1 : 0;
                unpredictable += verdict == RedisCheckAofOracle.Verdict.Unpredictable ? 1 : 0;
                if (verdict == RedisCheckAofOracle.Verdict.Disagreed && failure is null)
                {
                    failure = $"disagreement with redis-check-aof: {oracle.LastDifference}";
                }
            }

            if (failure is not null)
            {
                save?.Invoke(i, input, failure);
                if (failures.Count < MaxFailures)
                {
                    failures.Add($"input {i}: {failure}");
                }
            }

            progress?.Invoke(i - first + 1);
        }

        return new FuzzReport
        {
            Inputs = count,
            Bytes = bytes,
            Crashes = crashes,
            Hangs = hangs,
            OverAllocations = over,
            MaxAllocated = maxAlloc,
            MaxAllocationRatio = maxRatio,
            MaxBytesPerInputByte = maxPerByte,
            Seconds = (clock.Elapsed - oracleTime).TotalSeconds,
            Outcomes = outcomes,
            CheckerValid = valid,
            Compared = compared,
            Agreed = agreed,
            RedisDied = died,
            Unpredictable = unpredictable,
            Failures = failures,
        };
    }

    /// <summary>
    /// One input through the three targets: the loader (variant: see <see cref="Variants"/>), the checker (with a size
    /// or, on odd variants, without) and the manifest parser. Returns the load's outcome and
    /// whether the checker called the input valid.
    /// </summary>
    public static (LoadOutcome Outcome, bool CheckerValid) Target(byte[] input, int variant, int chunk)
    {
        Profile profile = (variant & 1) == 0 ? Profile.Fixed : Profile.Redis26;
        // A command that replies an error is dropped and counted (the seed's fake client); with an
        // odd chunk size the load is strict instead, so that refusal path is fuzzed too.
        var options = new LoadOptions { NowMs = 1_700_000_000_000, LoadTruncated = (variant & 2) != 0, StrictReplay = (chunk & 1) == 1 };
        var data = new Dataset();
        LoadResult loaded = (variant >> 2) switch
        {
            0 => AofLoader.LoadInPlace(input, input.Length, data, profile, options),
            1 => AofLoader.Load(new FuzzStream(input, chunk), input.Length, data, profile, options),
            2 => AofLoader.Load(new FuzzStream(input, chunk), -1, data, profile, options),

            // The storage path, on a file that grew by a quarter or a half of itself after its
            // size was taken, or not at all (the share follows from the chunk size).
            _ => AofLoader.Load(new FuzzStorage(input, chunk, input.Length - (input.Length * (long)(chunk % 3) / 4)), "appendonly.aof", data, profile, options),
        };

        CheckResult checkedResult = AofChecker.Check(new FuzzStream(input, chunk), (variant & 1) == 0 ? input.Length : -1);
        if (checkedResult.Size != input.Length)
        {
            throw new InvalidOperationException($"the checker counted {checkedResult.Size} bytes of a {input.Length}-byte input");
        }

        _ = AofManifest.Parse(AofManifest.Decode(input));
        return (loaded.Outcome, checkedResult.Valid);
    }
}
