using System.Text.Json;
using AofSim.Sim.Campaigns;

namespace AofSim.Sim.Cli.Shards;

/// <summary>One <c>--ndjson</c> file read back: its records, all of one shard of one campaign.</summary>
/// <param name="Path">The file as given.</param>
/// <param name="Records">Its records, in file order.</param>
internal sealed record ShardFile(string Path, IReadOnlyList<SeedRecord> Records)
{
    /// <summary>The shard its records name.</summary>
    public ShardSpec Shard { get; } = ShardSpec.Parse(Records[0].Shard) ?? ShardSpec.Whole;

    /// <summary>Reads <paramref name="path"/>; a usage error names the file and line that does not read.</summary>
    public static ShardFile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"no such file: {path}");
        }

        var records = new List<SeedRecord>();
        int lineNo = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNo++;
            if (line.Length == 0)
            {
                continue;
            }

            SeedRecord rec;
            try
            {
                rec = SeedRecord.FromJsonLine(line);
            }
            catch (JsonException e)
            {
                throw new UsageException($"{path} line {lineNo} is not a seed record: {e.Message.Split('\n')[0]}");
            }

            if (ShardSpec.Parse(rec.Shard) is null)
            {
                throw new UsageException($"{path} line {lineNo}: shard must be K/N, not '{rec.Shard}'");
            }

            if (records.Count > 0 && !SameCampaign(records[0], rec, out string what))
            {
                throw new UsageException($"{path} line {lineNo} is not of the campaign of the file's first record ({what})");
            }

            records.Add(rec);
        }

        return records.Count == 0
            ? throw new UsageException($"{path} holds no seed records (a shard that ran no seed, or not an --ndjson file)")
            : new ShardFile(path, records);
    }

    /// <summary>Whether two records are of one campaign (seeds, options, commit); if not, <paramref name="what"/> says what differs.</summary>
    public static bool SameCampaign(SeedRecord a, SeedRecord b, out string what)
    {
        what = a.Seeds.First != b.Seeds.First || a.Seeds.Last != b.Seeds.Last || a.Seeds.Sequence != b.Seeds.Sequence ? "other seeds"
            : a.Options.Key() != b.Options.Key() ? "other options"
            : !string.Equals(a.Commit, b.Commit, StringComparison.Ordinal) ? $"another commit: {b.Commit}, not {a.Commit}"
            : ShardSpec.Parse(a.Shard) is not ShardSpec sa || ShardSpec.Parse(b.Shard) is not ShardSpec sb || sa.Count != sb.Count ? "another number of shards"
            : string.Empty;
        return what.Length == 0;
    }
}
