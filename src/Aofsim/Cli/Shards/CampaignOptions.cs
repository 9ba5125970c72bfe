using System.CommandLine;
using System.Globalization;
using AofSim.Sim.Campaigns;

namespace AofSim.Sim.Cli.Shards;

/// <summary>
/// run's options for campaigns at scale (docs/campaigns.md): <c>--shard K/N</c>,
/// <c>--ndjson FILE</c>, <c>--duration</c>, <c>--until-fail</c>, <c>--recheck FRACTION</c>.
/// </summary>
internal sealed class CampaignOptions
{
    public Option<string?> Shard { get; } = new("--shard") { Description = "Run the K-th of N interleaved parts of the seeds (K/N, 1 <= K <= N); aofsim merge joins the parts' --ndjson files" };

    public Option<string?> Ndjson { get; } = new("--ndjson") { Description = "Write one JSON record per seed to FILE (docs/campaigns.md); aofsim merge reads them" };

    public Option<string?> Duration { get; } = new("--duration") { Description = "Time budget: start seeds for this long (90s, 10m, 8h), drawn from the sequence that starts at --seed (default 1)" };

    public Option<bool> UntilFail { get; } = new("--until-fail") { Description = "Start no seed after one fails (seeds drawn from the sequence that starts at --seed, default 1)" };

    public Option<string?> Recheck { get; } = new("--recheck") { Description = "Re-run this share (0..1) of the seeds, chosen by seed, and compare the traces line by line" };

    public void AddTo(Command cmd)
    {
        cmd.Add(Shard);
        cmd.Add(Ndjson);
        cmd.Add(Duration);
        cmd.Add(UntilFail);
        cmd.Add(Recheck);
    }

    /// <summary>Whether the seeds come from the sequence (a time-budgeted or soak run) rather than a range.</summary>
    public bool Sequence(ParseResult r) => r.GetValue(Duration) is not null || r.GetValue(UntilFail);

    /// <summary>
    /// The campaign these options ask for, with <paramref name="first"/>..<paramref name="last"/>
    /// the seeds run gave; null when none of them is given (run's plain campaign then).
    /// </summary>
    public CampaignRun? Resolve(ParseResult r, ulong first, ulong last, bool rangeGiven)
    {
        string? shardText = r.GetValue(Shard), ndjson = r.GetValue(Ndjson), durationText = r.GetValue(Duration), recheckText = r.GetValue(Recheck);
        bool untilFail = r.GetValue(UntilFail);
        if (shardText is null && ndjson is null && durationText is null && !untilFail && recheckText is null)
        {
            return null;
        }

        ShardSpec shard = ShardSpec.Whole;
        if (shardText is not null)
        {
            shard = ShardSpec.Parse(shardText)
                ?? throw new UsageException($"--shard must be K/N with 1 <= K <= N <= {ShardSpec.MaxCount}, not '{shardText}'");
        }

        TimeSpan? duration = null;
        if (durationText is not null)
        {
            duration = DurationText.Parse(durationText)
                ?? throw new UsageException($"--duration must be a whole number of s, m or h (1s..{DurationText.Max.TotalDays:0} days), not '{durationText}'");
        }

        double recheck = 0;
        if (recheckText is not null
            && (!double.TryParse(recheckText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out recheck) || recheck is < 0 or > 1))
        {
            throw new UsageException($"--recheck must be a fraction 0..1, not '{recheckText}'");
        }

        bool sequence = Sequence(r);
        if (sequence && rangeGiven)
        {
            throw new UsageException("--duration and --until-fail draw their seeds from the sequence that starts at --seed N, not from --seeds");
        }

        // A shard with no seed would write no record, and merge could not tell it from a lost one.
        if (!sequence && (ulong)shard.Count - 1 > last - first)
        {
            throw new UsageException($"--shard {shard}: {shard.Count} shards of {last - first + 1} seeds would leave a shard with none");
        }

        if (ndjson is not null && Path.GetDirectoryName(Path.GetFullPath(ndjson)) is string dir && !Directory.Exists(dir))
        {
            throw new UsageException($"no such directory for --ndjson: {dir}");
        }

        var spec = new CampaignSpec
        {
            First = first,
            Last = sequence ? first : last,
            Sequence = sequence,
            Shard = shard,
            Duration = duration,
            UntilFail = untilFail,
            Recheck = recheck,
        };
        return new CampaignRun(spec, ndjson);
    }
}
