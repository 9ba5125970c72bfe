using AofSim.Blackbox.Checking;
using AofSim.Blackbox.Resp;
using AofSim.Blackbox.Running;
using AofSim.Sim.Checking;

namespace AofSim.Scenarios.Blackbox;

/// <summary>The black-box checker on planted histories: it must catch a lost acknowledged write and a reordered pair, and pass the honest recoveries.</summary>
public sealed class CrashCheckerTests
{
    private const long T0 = 1_700_000_000_000;

    private static ClientBatch Set(int index, string key, string value, long sent, long? replied)
    {
        var b = new ClientBatch(index, 0, [["SET", key, value]], sent) { RepliedMs = replied };
        if (replied is not null)
        {
            b.Replies.Add(new RespReply('+', "OK", null, "+OK\r\n"));
        }

        return b;
    }

    private static Dictionary<(int Db, string Key), RecoveredKey> Keys(params (string Key, string Value)[] keys) =>
        keys.ToDictionary(k => (0, k.Key), k => DatasetReader.Make(0, k.Key, k.Value, -1));

    private static CrashFacts Facts(long window, bool power = true) => new(T0 + 5000, power, window, T0 + 6000, T0 + 6010);

    [Fact]
    public void A_lost_acknowledged_write_under_always_is_caught()
    {
        ConnectionRecord c = new(0, new Model(), [Set(0, "s:0", "a", T0, T0 + 2), Set(1, "s:1", "b", T0 + 3, T0 + 5)]);
        var recovered = new Dictionary<int, Dictionary<(int, string), RecoveredKey>> { [0] = Keys(("s:0", "a")) };

        (IReadOnlyList<ConnectionVerdict> verdicts, IReadOnlyList<BlackboxViolation> violations) = CrashChecker.Check([c], recovered, Facts(window: 0));

        BlackboxViolation v = Assert.Single(violations);
        Assert.Equal("lost-acknowledged-write", v.Property);
        ConnectionVerdict only = Assert.Single(verdicts);
        Assert.Equal(1, only.MaxPrefix);
        Assert.Equal(1, only.AckedWritesLost);
    }

    [Fact]
    public void The_same_loss_is_allowed_when_the_policy_promises_nothing_at_a_power_loss()
    {
        ConnectionRecord c = new(0, new Model(), [Set(0, "s:0", "a", T0, T0 + 2), Set(1, "s:1", "b", T0 + 3, T0 + 5)]);
        var recovered = new Dictionary<int, Dictionary<(int, string), RecoveredKey>> { [0] = Keys(("s:0", "a")) };

        (IReadOnlyList<ConnectionVerdict> verdicts, IReadOnlyList<BlackboxViolation> violations) = CrashChecker.Check([c], recovered, Facts(window: long.MaxValue));

        Assert.Empty(violations);
        Assert.Equal(1, Assert.Single(verdicts).AckedWritesLost);
    }

    [Fact]
    public void Everything_recovered_passes_under_always()
    {
        ConnectionRecord c = new(0, new Model(), [Set(0, "s:0", "a", T0, T0 + 2), Set(1, "s:0", "b", T0 + 3, T0 + 5)]);
        var recovered = new Dictionary<int, Dictionary<(int, string), RecoveredKey>> { [0] = Keys(("s:0", "b")) };

        (_, IReadOnlyList<BlackboxViolation> violations) = CrashChecker.Check([c], recovered, Facts(window: 0));

        Assert.Empty(violations);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 0)]
    public void A_set_whose_members_the_replay_redrew_is_left_out_only_under_SkipSets(bool skipSets, int expected)
    {
        // SADD then an acknowledged SPOP that popped m1; a target replaying SPOP at random
        // recovered {m1} instead of {m2}. Strings are still compared either way.
        var sadd = new ClientBatch(0, 0, [["SADD", "t:0", "m1", "m2"]], T0) { RepliedMs = T0 + 2 };
        sadd.Replies.Add(new RespReply(':', "2", null, ":2\r\n"));
        var spop = new ClientBatch(1, 0, [["SPOP", "t:0"]], T0 + 3) { RepliedMs = T0 + 4 };
        spop.Replies.Add(new RespReply('$', "m1", null, "$2\r\nm1\r\n"));
        ConnectionRecord c = new(0, new Model(), [sadd, spop, Set(2, "s:0", "a", T0 + 5, T0 + 6)]);
        Dictionary<(int Db, string Key), RecoveredKey> got = Keys(("s:0", "a"));
        got[(0, "t:0")] = DatasetReader.Make(0, "t:0", new SortedSet<string>(["m1"], StringComparer.Ordinal), -1);
        var recovered = new Dictionary<int, Dictionary<(int, string), RecoveredKey>> { [0] = got };

        (_, IReadOnlyList<BlackboxViolation> violations) = CrashChecker.Check([c], recovered, Facts(window: 0) with { SkipSets = skipSets });

        Assert.Equal(expected, violations.Count(v => v.Property == "not-a-prefix"));
    }

    [Fact]
    public void SkipSets_still_catches_a_lost_string()
    {
        ConnectionRecord c = new(0, new Model(), [Set(0, "s:0", "a", T0, T0 + 2), Set(1, "s:1", "b", T0 + 3, T0 + 5)]);
        var recovered = new Dictionary<int, Dictionary<(int, string), RecoveredKey>> { [0] = Keys(("s:0", "a")) };

        (_, IReadOnlyList<BlackboxViolation> violations) = CrashChecker.Check([c], recovered, Facts(window: 0) with { SkipSets = true });

        Assert.Equal("lost-acknowledged-write", Assert.Single(violations).Property);
    }

    [Fact]
    public void A_reordered_pair_across_connections_is_caught()
    {
        // Connection 1's write was sent after connection 0's was acknowledged: it cannot survive alone.
        ConnectionRecord first = new(0, new Model(), [Set(0, "s:0", "a", T0, T0 + 5)]);
        ConnectionRecord second = new(1, new Model(), [Set(0, "s:0", "b", T0 + 10, T0 + 15)]);
        var recovered = new Dictionary<int, Dictionary<(int, string), RecoveredKey>> { [0] = Keys(), [1] = Keys(("s:0", "b")) };

        (_, IReadOnlyList<BlackboxViolation> violations) = CrashChecker.Check([first, second], recovered, Facts(window: long.MaxValue));

        BlackboxViolation v = Assert.Single(violations);
        Assert.Equal("real-time-order", v.Property);
        Assert.Equal(1, v.Connection);
    }

    [Fact]
    public void Concurrent_writes_may_survive_in_either_order()
    {
        // Connection 1's write was sent before connection 0's reply: no order between them.
        ConnectionRecord first = new(0, new Model(), [Set(0, "s:0", "a", T0, T0 + 20)]);
        ConnectionRecord second = new(1, new Model(), [Set(0, "s:0", "b", T0 + 10, T0 + 25)]);
        var recovered = new Dictionary<int, Dictionary<(int, string), RecoveredKey>> { [0] = Keys(), [1] = Keys(("s:0", "b")) };

        (_, IReadOnlyList<BlackboxViolation> violations) = CrashChecker.Check([first, second], recovered, Facts(window: long.MaxValue));

        Assert.Empty(violations);
    }

    [Theory]
    [InlineData(null)] // killed before the reply: the member it popped is unknown
    [InlineData("$-1\r\n")] // a nil reply while the model still holds the set (an expiry the wall clock left open)
    public void An_SPOP_whose_member_is_unknown_leaves_its_set_out_instead_of_failing_the_check(string? reply)
    {
        // The set "t:0" holds two members; the SPOP's member is unknown, the other key is checked as usual.
        var model = new Model();
        model.Reset([(0, "t:0", new SortedSet<string>(["m1", "m2"], StringComparer.Ordinal), -1L)]);
        var pop = new ClientBatch(1, 0, [["SPOP", "t:0"]], T0 + 3) { RepliedMs = reply is null ? null : T0 + 5 };
        if (reply is not null)
        {
            pop.Replies.Add(new RespReply('$', null, null, reply));
        }

        ConnectionRecord c = new(0, model, [Set(0, "s:0", "a", T0, T0 + 2), pop]);
        var recovered = new Dictionary<int, Dictionary<(int, string), RecoveredKey>>
        {
            [0] = new() { [(0, "s:0")] = DatasetReader.Make(0, "s:0", "a", -1), [(0, "t:0")] = DatasetReader.Make(0, "t:0", new SortedSet<string>(["m2"], StringComparer.Ordinal), -1) },
        };

        (IReadOnlyList<ConnectionVerdict> verdicts, IReadOnlyList<BlackboxViolation> violations) = CrashChecker.Check([c], recovered, Facts(window: 0));

        Assert.Empty(violations);
        Assert.Equal(2, Assert.Single(verdicts).MaxPrefix);
    }

    [Fact]
    public void A_lost_write_next_to_an_unknown_SPOP_is_still_caught()
    {
        var model = new Model();
        model.Reset([(0, "t:0", new SortedSet<string>(["m1", "m2"], StringComparer.Ordinal), -1L)]);
        ConnectionRecord c = new(0, model, [Set(0, "s:0", "a", T0, T0 + 2), new ClientBatch(1, 0, [["SPOP", "t:0"]], T0 + 3)]);
        var recovered = new Dictionary<int, Dictionary<(int, string), RecoveredKey>>
        {
            [0] = new() { [(0, "t:0")] = DatasetReader.Make(0, "t:0", new SortedSet<string>(["m1", "m2"], StringComparer.Ordinal), -1) },
        };

        (_, IReadOnlyList<BlackboxViolation> violations) = CrashChecker.Check([c], recovered, Facts(window: 0));

        Assert.Equal("lost-acknowledged-write", Assert.Single(violations).Property);
    }

    [Fact]
    public void A_value_no_prefix_explains_is_caught()
    {
        ConnectionRecord c = new(0, new Model(), [Set(0, "s:0", "a", T0, T0 + 2)]);
        var recovered = new Dictionary<int, Dictionary<(int, string), RecoveredKey>> { [0] = Keys(("s:0", "zzz")) };

        (_, IReadOnlyList<BlackboxViolation> violations) = CrashChecker.Check([c], recovered, Facts(window: long.MaxValue));

        Assert.Equal("not-a-prefix", Assert.Single(violations).Property);
    }
}
