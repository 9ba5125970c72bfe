using AofSim.Engine.Profiles;

namespace AofSim.Scenarios.Structures;

/// <summary>Profile specs as docs/profiles.md writes them: a base name, then +Switch or -Switch.</summary>
public sealed class ProfileSpecTests
{
    [Fact]
    public void TheTwoBaseNamesAreTheTwoProfiles()
    {
        Assert.True(Profile.TryGet("redis26", out Profile seed));
        Assert.Equal("redis26", seed.Name);
        Assert.True(seed.TruncateShortWrite);
        Assert.False(seed.FsyncEverysecTail);

        Assert.True(Profile.TryGet("fixed", out Profile fixedProfile));
        Assert.Equal("fixed", fixedProfile.Name);
        Assert.True(fixedProfile.FsyncEverysecTail);
        Assert.Equal("custom", new Profile().Name);
    }

    [Fact]
    public void SwitchesAreTurnedOnAndOffInTheirOrderAndTheSpecIsTheName()
    {
        Assert.True(Profile.TryGet("fixed-FsyncBeforeRenameAndDir", out Profile allButOne));
        Assert.Equal("fixed-FsyncBeforeRenameAndDir", allButOne.Name);
        Assert.False(allButOne.FsyncBeforeRenameAndDir);
        Assert.True(allButOne.FsyncEverysecTail);

        Assert.True(Profile.TryGet("redis26+FsyncEverysecTail+AtomicSetEx-TruncateShortWrite", out Profile some));
        Assert.True(some.FsyncEverysecTail);
        Assert.True(some.AtomicSetEx);
        Assert.False(some.TruncateShortWrite);
        Assert.False(some.FsyncBeforeRenameAndDir);

        // The same switch twice: the last word wins.
        Assert.True(Profile.TryGet("redis26+AtomicSetEx-AtomicSetEx", out Profile last));
        Assert.False(last.AtomicSetEx);

        // The shared profiles are never changed by a spec.
        Assert.False(Profile.Redis26.FsyncEverysecTail);
        Assert.True(Profile.Fixed.FsyncBeforeRenameAndDir);
    }

    [Theory]
    [InlineData("custom")]
    [InlineData("")]
    [InlineData("fixed-NoSuchSwitch")]
    [InlineData("fixed-Name")] // a property, but not a switch
    [InlineData("fixed+")]
    [InlineData("+AtomicSetEx")]
    public void AnythingElseIsRefused(string spec) => Assert.False(Profile.TryGet(spec, out _));

    [Fact]
    public void TheSwitchNamesAreEveryBooleanPropertyInOrdinalOrder()
    {
        Assert.Contains("AtomicSetEx", Profile.SwitchNames);
        Assert.Contains("TruncateShortWrite", Profile.SwitchNames);
        Assert.DoesNotContain("Name", Profile.SwitchNames);
        Assert.Equal(Profile.SwitchNames.Order(StringComparer.Ordinal), Profile.SwitchNames);
        Assert.True(Profile.SwitchNames.Count >= 18);
    }
}
