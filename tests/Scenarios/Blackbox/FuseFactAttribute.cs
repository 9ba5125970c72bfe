using AofSim.Blackbox.Disks;

namespace AofSim.Scenarios.Blackbox;

/// <summary>
/// Whether the FUSE disk's tests run here: they skip, visibly and with the reason, where FUSE
/// cannot mount (no /dev/fuse, no libfuse3, the mount refused), except under CI=true, where
/// .ci/run installs fuse3 and a missing FUSE is a failure (the tests run and fail on the mount).
/// </summary>
internal static class FuseAvailability
{
    /// <summary>The reason to skip, or null to run.</summary>
    public static string? SkipReason =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) ? null : FuseDisk.Unavailable();
}

/// <summary>A fact that needs a FUSE mount: skipped, visibly, where FUSE is unavailable (never under CI=true).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class FuseFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when FUSE cannot mount here.</summary>
    public FuseFactAttribute()
    {
        if (FuseAvailability.SkipReason is string why)
        {
            Skip = why;
        }
    }
}

/// <summary>A theory that needs a FUSE mount: skipped, visibly, where FUSE is unavailable (never under CI=true).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class FuseTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when FUSE cannot mount here.</summary>
    public FuseTheoryAttribute()
    {
        if (FuseAvailability.SkipReason is string why)
        {
            Skip = why;
        }
    }
}
