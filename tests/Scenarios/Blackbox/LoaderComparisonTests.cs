using System.Text;
using AofSim.Blackbox.Checking;
using AofSim.Engine.Profiles;

namespace AofSim.Scenarios.Blackbox;

/// <summary>
/// The engine's loader against what a real target recovered from the same image: keys compared
/// one by one, except a key whose expiry falls in the readback window on either side (the
/// target's expiry is an estimate: PTTL added to the time it was asked).
/// </summary>
public sealed class LoaderComparisonTests
{
    // The readback ran from ReadFrom to ReadTo (Unix ms); the window allows 50 ms either side.
    private const long ReadFrom = 1_800_000_000_000;
    private const long ReadTo = ReadFrom + 200;

    [Fact]
    public void AKeyTheEngineHoldsJustPastTheWindowWhoseTargetEstimateFallsInItIsNotADisagreement()
    {
        // The key expires 10 ms after the window; the target's estimate was asked 70 ms late.
        long exact = ReadTo + 60;
        byte[] image = Image("SET", "s", "a", "PXAT", exact.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var recovered = new Dictionary<int, List<RecoveredKey>> { [0] = [DatasetReader.Make(0, "s", "a", exact - 70)] };

        (string verdict, BlackboxViolation? v) = LoaderComparison.Compare(image, recovered, Profile.Fixed, ReadFrom, ReadTo, targetNeededFix: false);

        Assert.Equal("agrees", verdict);
        Assert.Null(v);
    }

    [Fact]
    public void AKeyWithoutExpiryMissingFromTheTargetIsADisagreement()
    {
        byte[] image = Image("SET", "s", "a");

        (string verdict, BlackboxViolation? v) = LoaderComparison.Compare(image, [], Profile.Fixed, ReadFrom, ReadTo, targetNeededFix: false);

        Assert.Equal("disagrees", verdict);
        Assert.Equal("loader-disagreement", v!.Property);
        Assert.Equal(["engine only: 0|s|-1|string|a"], v.Expected);
    }

    private static byte[] Image(params string[] argv)
    {
        var sb = new StringBuilder($"*{argv.Length}\r\n");
        foreach (string a in argv)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"${a.Length}\r\n{a}\r\n");
        }

        return Encoding.Latin1.GetBytes(sb.ToString());
    }
}
