using AofSim.Engine.Profiles;

namespace AofSim.Scenarios;

/// <summary>The profiles the scenarios name by spec (<c>fixed-X</c>, <c>redis26+Y</c>).</summary>
internal static class TestProfiles
{
    /// <summary>The profile <paramref name="spec"/> names; a spec that names none fails the test.</summary>
    public static Profile Named(string spec) =>
        Profile.TryGet(spec, out Profile p) ? p : throw new ArgumentException($"no profile named {spec}", nameof(spec));
}
