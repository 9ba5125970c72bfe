using AofSim.Blackbox.Targets;

namespace AofSim.Scenarios.Blackbox;

/// <summary>A fact that needs garnet-server restored from the tool manifest: skipped, visibly, where it is not (dotnet tool restore).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class GarnetFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when garnet-server is not restored.</summary>
    public GarnetFactAttribute()
    {
        if (GarnetTarget.Find() is null)
        {
            Skip = "garnet-server is not restored (dotnet tool restore installs it from .config/dotnet-tools.json)";
        }
    }
}
