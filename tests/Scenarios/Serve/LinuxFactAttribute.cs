namespace AofSim.Scenarios.Serve;

/// <summary>A fact that reads /proc and sets descriptor limits: skipped, visibly, off Linux.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class LinuxFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> off Linux.</summary>
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux (/proc/<pid>/fd, ulimit -n)";
        }
    }
}
