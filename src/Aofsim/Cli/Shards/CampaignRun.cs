using System.Text;
using AofSim.Sim.Campaigns;
using AofSim.Sim.Simulating;

namespace AofSim.Sim.Cli.Shards;

/// <summary>A campaign run asked for with run's scale options: its seeds (<see cref="Spec"/>) and where its records go.</summary>
/// <param name="Spec">The seeds, the shard, when to stop, the re-check share.</param>
/// <param name="Ndjson">The file for one record per seed, or null.</param>
internal sealed record CampaignRun(CampaignSpec Spec, string? Ndjson)
{
    /// <summary>The seeds the progress line counts up to (0 when the run is open-ended).</summary>
    public long Total => Spec.Sequence ? 0 : Spec.Shard.CountOf(Spec.Positions);

    /// <summary>The seeds as the summary's header shows them.</summary>
    public string SeedsText => Spec.Shard.Count == 1 ? Spec.SeedsText : $"{Spec.SeedsText}, shard {Spec.Shard}";

    /// <summary>
    /// Runs the campaign, writes the records (in campaign order), returns the results in that
    /// order; says on <paramref name="err"/> how many seeds the re-check ran twice.
    /// </summary>
    public (IReadOnlyList<SeedResult> Results, TimeSpan Elapsed) Run(TextWriter err, SimOptions options, int parallelism, Action<int>? progress)
    {
        // An open-ended run has no share done to show: a line every 1,000 seeds instead.
        Action<int>? counting = Total > 0 ? progress : done =>
        {
            if (done % 1000 == 0)
            {
                lock (err)
                {
                    err.WriteLine($"progress: {done} seeds");
                }
            }
        };
        (IReadOnlyList<CampaignSeed> seeds, TimeSpan elapsed) = ShardRun.Run(Spec, options, parallelism, counting);
        if (Spec.Recheck > 0)
        {
            int twice = seeds.Count(s => DeterminismCheck.Sampled(s.Result.Seed, Spec.Recheck));
            int differed = seeds.Count(s => s.Result.Violations.Any(v => v.Property == Checking.Property.Determinism));
            err.WriteLine($"recheck: {twice} of {seeds.Count} seeds run twice, {differed} with traces that differ");
        }

        if (Ndjson is not null)
        {
            using var w = new StreamWriter(Ndjson, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            w.NewLine = "\n";
            foreach (CampaignSeed s in seeds)
            {
                w.WriteLine(SeedRecord.Of(s, Spec, options, BuildInfo.Commit).ToJsonLine());
            }
        }

        return ([.. seeds.Select(s => s.Result)], elapsed);
    }
}
