using AofSim.Scenarios.Cli;
using System.Text;
using AofSim.Engine.Aof;
using AofSim.Engine.Commands;
using AofSim.Scenarios.Interop;
using AofSim.Sim.Fuzzing;

namespace AofSim.Scenarios.Fuzzing;

/// <summary>
/// The fuzzing target of the loader, the checker and the manifest parser (aofsim fuzz): a short
/// seeded run over the checked-in corpus must find nothing, the mutator must make the damage it
/// names, the bounds must catch what they bound, and the checker must agree with the real
/// redis-check-aof on a sample of the mutated inputs.
/// </summary>
public sealed class FuzzerScenarios
{
    private static readonly Lazy<List<byte[]>> Corpus = new(() =>
        [.. Directory.GetFiles(CorpusDir(), "*").Order(StringComparer.Ordinal).Select(File.ReadAllBytes)]);

    [Fact]
    public void TwentyThousandSeededInputsCrashHangAndOverAllocateNothing()
    {
        FuzzReport r = new AofFuzzer(Corpus.Value, seed: 17).Run(0, 20_000);

        Assert.Equal(20_000, r.Inputs);
        Assert.True(r.Clean, string.Join("\n", r.Failures));
        Assert.Equal(0, r.Crashes);
        Assert.Equal(0, r.Hangs);
        Assert.Equal(0, r.OverAllocations);
        Assert.InRange(r.MaxAllocationRatio, 0.0, 1.0);

        // The inputs reach past the first damage: every kind of outcome turns up.
        foreach (LoadOutcome o in new[] { LoadOutcome.Loaded, LoadOutcome.Truncated, LoadOutcome.BadFormat, LoadOutcome.UnexpectedEof, LoadOutcome.UnknownCommand, LoadOutcome.WrongArity, LoadOutcome.CommandFailed })
        {
            Assert.True(r.Outcomes.GetValueOrDefault(o.ToString()) > 0, $"no input ended {o}");
        }
    }

    [Fact]
    public void TheCorpusHasEveryCommandFamilyMultiExecManifestsAndDamagedTails()
    {
        string[] names = [.. Directory.GetFiles(CorpusDir()).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

        foreach (string family in new[] { "strings", "keys", "lists", "sets", "zsets", "hashes", "multi-exec", "redis7-annotations" })
        {
            Assert.Contains(family + ".aof", names);
        }

        Assert.Contains(names, n => n.EndsWith(".manifest", StringComparison.Ordinal));
        Assert.True(names.Count(n => n.StartsWith("damaged-", StringComparison.Ordinal)) >= 5);
    }

    [Fact]
    public void InputsAreAFunctionOfSeedAndIndex()
    {
        var a = new AofFuzzer(Corpus.Value, seed: 5);
        var b = new AofFuzzer(Corpus.Value, seed: 5);
        var c = new AofFuzzer(Corpus.Value, seed: 6);

        Assert.Equal(a.Input(1234).Input, b.Input(1234).Input);
        Assert.NotEqual(a.Input(1234).Input, a.Input(1235).Input);
        Assert.NotEqual(a.Input(1234).Input, c.Input(1234).Input);
    }

    [Fact]
    public void ALengthEditPutsAClaimInTheOnlyHeader()
    {
        var mutator = new AofMutator([Encoding.Latin1.GetBytes("$5\r\nhello\r\n")]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (ulong s = 0; s < 400; s++)
        {
            var data = new List<byte>(Encoding.Latin1.GetBytes("$5\r\nhello\r\n"));
            mutator.Apply(data, AofMutator.Kinds.ToList().IndexOf("length-edit"), new SplitMix64(s));
            string text = Encoding.Latin1.GetString([.. data]);
            Assert.StartsWith("$", text, StringComparison.Ordinal);
            Assert.EndsWith("\r\nhello\r\n", text, StringComparison.Ordinal);
            seen.Add(text[1..^9]);
        }

        // Huge, negative, off by one, and malformed claims all come up.
        Assert.Contains("9223372036854775806", seen);
        Assert.Contains("-1", seen);
        Assert.Contains("4", seen);
        Assert.Contains("6", seen);
        Assert.Contains("+3", seen);
        Assert.Contains(string.Empty, seen);
    }

    [Fact]
    public void AHugeClaimCostsTheInputNotTheClaim()
    {
        // 30 bytes that claim 2^40: each variant must stay inside the bound, which would not
        // hold for an allocation sized by the claim.
        byte[] input = Encoding.Latin1.GetBytes("*1\r\n$1099511627776\r\nPING\r\n");
        for (int variant = 0; variant < AofFuzzer.Variants; variant++)
        {
            _ = AofFuzzer.Target(input, variant, 3); // warm
            long before = GC.GetAllocatedBytesForCurrentThread();
            _ = AofFuzzer.Target(input, variant, 3);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.InRange(allocated, 0, AofFuzzer.AllocationBound(input.Length));
        }
    }

    [Fact]
    public void AReaderThatSpinsAtTheEndIsAHang()
    {
        var stream = new FuzzStream([1, 2, 3], chunk: 1);
        var buffer = new byte[8];

        Assert.Throws<FuzzHangException>(() =>
        {
            for (int k = 0; k < 1000; k++)
            {
                _ = stream.Read(buffer, 0, buffer.Length);
            }
        });
        Assert.Equal(3 + 16 + 1, stream.Reads);
    }

    // The checker's fixes found by the comparison; each expected report is redis-check-aof 7.0.15's.
    [Theory]
    [InlineData("*1\0\r\n$4\r\nPING\r\n", "0x               0: Expected \\r\\n, got: 000d", 0, 1)]
    [InlineData("*1\r\n$4\r\nPING\0\n", "0x               8: Expected \\r\\n, got: 000a", 0, 3)]
    [InlineData("*1\r\n\0$4\r\nPING\r\n", "0x               4: Expected prefix '$', got: '", 0, 2)]
    [InlineData("*1\r\n$4\0\xff\r\nPING\r\n", "0x               4: Expected \\r\\n, got: 00ffffffff", 0, 2)]
    public void TheCheckerPrintsWhatRedisCheckAofPrintsAroundANul(string aof, string error, long okUpTo, long okUpToLine)
    {
        CheckResult r = AofChecker.Check(Encoding.Latin1.GetBytes(aof));

        Assert.Equal(error, r.Error);
        Assert.Equal(okUpTo, r.OkUpTo);
        Assert.Equal(okUpToLine, r.OkUpToLine);
        Assert.False(r.Valid);
    }

    [RedisFact]
    public void TheCheckerAgreesWithRedisCheckAofOnASampleOfMutatedInputs()
    {
        using var oracle = new RedisCheckAofOracle(RedisBinaries.CheckAof!);

        // 4,000 inputs, 200 of them compared line for line.
        FuzzReport r = new AofFuzzer(Corpus.Value, seed: 23).Run(0, 4_000, oracle, compareEvery: 20);

        Assert.Equal(200, r.Compared);
        Assert.True(r.Disagreed == 0, string.Join("\n", r.Failures));
        Assert.True(r.Agreed >= 130, $"only {r.Agreed} of {r.Compared} compared inputs gave redis-check-aof a verdict to agree with");
    }

    [Fact]
    public void TheFuzzVerbReportsACleanRunAndExitsZero()
    {
        (int exit, string stdout, _) = AofsimProcess.Capture("fuzz", "--inputs", "300", "--seed", "4", "--corpus", CorpusDir());

        Assert.Equal(0, exit);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("aofsim fuzz: seed 4, inputs 0..299, corpus ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("inputs 300 (", lines[1], StringComparison.Ordinal);
        Assert.Equal("crashes 0, hangs 0, over-allocations 0", lines[2]);
    }

    [Theory]
    [InlineData("--inputs must be at least 1, not 0", "fuzz", "--inputs", "0")]
    [InlineData("--compare-redis must be at least 0, not -1", "fuzz", "--compare-redis", "-1")]
    [InlineData("no such corpus directory: /nonexistent-corpus", "fuzz", "--corpus", "/nonexistent-corpus")]
    public void TheFuzzVerbRefusesBadUsageOnOneLine(string message, params string[] args)
    {
        (int exit, _, string stderr) = AofsimProcess.Capture(args);

        Assert.Equal(2, exit);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("aofsim: " + message, stderr, StringComparison.Ordinal);
    }

    private static string CorpusDir()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "tests", "corpus");
            if (File.Exists(Path.Combine(d.FullName, "Sim.sln")) && Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/corpus not found above " + AppContext.BaseDirectory);
    }
}
