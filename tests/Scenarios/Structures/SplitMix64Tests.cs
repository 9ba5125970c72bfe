using AofSim.Engine.Commands;

namespace AofSim.Scenarios.Structures;

/// <summary>
/// The engine's seeded generator is SplitMix64 exactly (Steele, Lea and Flood; Vigna's reference
/// C code): its outputs for a seed are the published ones, so SPOP's picks are reproducible in a
/// port that uses the same generator.
/// </summary>
public sealed class SplitMix64Tests
{
    [Fact]
    public void ItsOutputsForSeed1234567AreTheReferenceImplementations()
    {
        var r = new SplitMix64(1234567);
        ulong[] expected = [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431, 16408922859458223821];
        Assert.Equal(expected, Enumerable.Range(0, 5).Select(_ => r.NextUInt64()).ToArray());
    }

    [Fact]
    public void NextIsTheNextOutputModuloTheBoundAndRefusesAnEmptyRange()
    {
        var r = new SplitMix64(1234567);
        Assert.Equal((int)(6457827717110365317UL % 1000), r.Next(1000));
        Assert.Equal((int)(3203168211198807973UL % 7), r.Next(7));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.Next(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.Next(-1));
    }
}
