using System.Reflection;

namespace AofSim.Sim.Cli.Shards;

/// <summary>What the program knows of its own build.</summary>
internal static class BuildInfo
{
    /// <summary>
    /// The commit the program was built from: <c>git rev-parse HEAD</c> at build time (or the
    /// SourceCommit / SOURCE_COMMIT property given to the build), "unknown" when neither was there
    /// (a source tarball, a container build without .git). Set by src/Aofsim/Aofsim.csproj.
    /// </summary>
    public static string Commit { get; } = typeof(BuildInfo).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "SourceCommit")?.Value is { Length: > 0 } c ? c : "unknown";
}
