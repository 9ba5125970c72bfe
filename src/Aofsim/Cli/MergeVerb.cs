using System.CommandLine;
using System.Globalization;
using AofSim.Sim.Campaigns;
using AofSim.Sim.Cli.Shards;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Cli;

/// <summary>
/// <c>aofsim merge FILES…</c>: the <c>run --shard K/N --ndjson FILE</c> outputs of a campaign's N
/// shards joined into the summary, JSON and campaign hash that one unsharded run prints. Every
/// shard must be there exactly once, each with all its seeds: a campaign hash over part of the
/// seeds would look like a pass.
/// </summary>
internal static class MergeVerb
{
    public static Command Build(CliIo io)
    {
        var files = new Argument<string[]>("FILES") { Description = "The shards' --ndjson files", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print the machine-readable summary (JSON), as run --json does" };
        var cmd = new Command("merge", "Merge the --ndjson files of a campaign's shards into one summary; exit 0 iff no violation") { files, json };
        cmd.SetAction(r => Run(io, r.GetValue(files)!, r.GetValue(json)));
        return cmd;
    }

    public static int Run(CliIo io, IReadOnlyList<string> paths, bool json)
    {
        List<ShardFile> files = [.. paths.Select(ShardFile.Read)];
        ShardFile head = files[0];
        SeedRecord first = head.Records[0];
        foreach (ShardFile f in files.Skip(1))
        {
            if (!ShardFile.SameCampaign(first, f.Records[0], out string what))
            {
                throw new UsageException($"{f.Path} is not of {head.Path}'s campaign ({what})");
            }
        }

        int n = head.Shard.Count;
        var byShard = new Dictionary<int, ShardFile>();
        foreach (ShardFile f in files)
        {
            if (byShard.TryGetValue(f.Shard.Index, out ShardFile? other))
            {
                throw new UsageException($"shard {f.Shard} is given twice: {other.Path} and {f.Path}");
            }

            byShard[f.Shard.Index] = f;
        }

        List<string> missing = [.. Enumerable.Range(1, n).Where(k => !byShard.ContainsKey(k)).Select(k => new ShardSpec(k, n).ToString())];
        if (missing.Count > 0)
        {
            throw new UsageException(missing.Count == 1
                ? $"shard {missing[0]} is missing: no file given holds it"
                : $"shards {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", …" : string.Empty)} are missing ({missing.Count} of {n}): no file given holds them");
        }

        var spec = new CampaignSpec
        {
            First = first.Seeds.First,
            Last = first.Seeds.Last ?? first.Seeds.First,
            Sequence = first.Seeds.Sequence,
        };
        if (!spec.Sequence && (first.Seeds.Last is null || spec.Last < spec.First))
        {
            throw new UsageException($"{head.Path}: the campaign's seeds are neither a range nor a sequence");
        }

        var merged = new List<(long Position, SeedRecord Record)>();
        foreach (ShardFile f in byShard.OrderBy(kv => kv.Key).Select(kv => kv.Value))
        {
            merged.AddRange(Check(f, spec));
        }

        SimOptions options = first.Options.ToOptions(out string error) ?? throw new UsageException($"{head.Path}: {error}");
        var results = new List<SeedResult>(merged.Count);
        foreach ((long _, SeedRecord rec) in merged.OrderBy(m => m.Position))
        {
            results.Add(rec.ToResult() ?? throw new UsageException($"seed {rec.Seed}: a policy, crash model, property or probe this program does not know"));
        }

        // The seeds' own run times, added: the shards ran apart, so no one wall clock saw them all.
        var seconds = TimeSpan.FromSeconds(merged.Sum(m => m.Record.Seconds));
        // The shards were not held to the required probes (each sees a part of the seeds); the
        // whole campaign is, as one run of it would be.
        var probes = Coverage.ProbeReport.Of(results, options, campaign: !spec.Sequence);
        if (json)
        {
            RunVerb.WriteJson(io.Out, results, seconds, options, spec.First, spec.Last, [], probes);
        }
        else
        {
            RunVerb.WriteTable(io.Out, results, seconds, options, spec.First, spec.Last, spec.SeedsText);
            RunVerb.WriteProbes(io.Out, probes, options);
            List<SeedResult> failing = [.. results.Where(x => x.Violations.Count > 0)];
            foreach (SeedResult f in failing.Take(10))
            {
                RunVerb.WriteViolation(io.Out, f, f.Violations[0], options);
            }

            if (failing.Count > 10)
            {
                io.Out.WriteLine($"... and {failing.Count - 10} more failing seeds");
            }
        }

        if (probes.Missing.Count > 0)
        {
            io.Err.WriteLine($"aofsim merge: {probes.MissingMessage()}");
        }

        return results.Any(x => x.Violations.Count > 0) ? 1 : probes.Missing.Count > 0 ? RunVerb.ProbesMissedExit : 0;
    }

    // The file's records with their positions, checked against its shard: each record at the
    // position its seed has in the campaign, the shard's positions in order with none twice and
    // none skipped, and (for a range) all of them.
    private static IEnumerable<(long, SeedRecord)> Check(ShardFile f, CampaignSpec campaign)
    {
        CampaignSpec spec = campaign with { Shard = f.Shard };
        long expected = spec.Sequence ? -1 : spec.Shard.CountOf(spec.Positions);
        var seen = new HashSet<ulong>();
        for (int i = 0; i < f.Records.Count; i++)
        {
            SeedRecord rec = f.Records[i];
            if (!seen.Add(rec.Seed))
            {
                throw new UsageException($"seed {rec.Seed} is given twice in {f.Path} (shard {f.Shard})");
            }

            long want = spec.Shard.Position(i);
            if (rec.Position != want || spec.SeedAt(want) != rec.Seed || (expected >= 0 && i >= expected))
            {
                string at = expected >= 0 && i >= expected
                    ? "is not one of its seeds"
                    : string.Create(CultureInfo.InvariantCulture, $"is where seed {spec.SeedAt(want)} (position {want}) should be");
                throw new UsageException($"{f.Path} (shard {f.Shard}): seed {rec.Seed} {at}");
            }

            yield return (rec.Position, rec);
        }

        if (expected >= 0 && f.Records.Count < expected)
        {
            ulong next = spec.SeedAt(spec.Shard.Position(f.Records.Count));
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{f.Path} (shard {f.Shard}) is missing {expected - f.Records.Count} of its {expected} seeds, from seed {next} on (was the shard cut short?)"));
        }
    }
}
