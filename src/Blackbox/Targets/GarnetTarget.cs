using System.Text.RegularExpressions;
using AofSim.Engine.Server;

namespace AofSim.Blackbox.Targets;

/// <summary>
/// Microsoft Garnet (the <c>garnet-server</c> dotnet tool) with its AOF on. Not wired yet: see
/// docs/blackbox.md.
/// </summary>
public sealed partial class GarnetTarget : BlackboxTarget
{
    private GarnetTarget()
    {
    }

    /// <inheritdoc/>
    public override string Name => "garnet";

    /// <inheritdoc/>
    public override string Describe => "garnet";

    /// <inheritdoc/>
    public override Regex Ready => ReadyLine();

    /// <summary>The installed garnet-server, or null.</summary>
    public static GarnetTarget? Find() => null;

    /// <inheritdoc/>
    public override TargetLaunch Launch(string dir, int port, AppendFsync policy) => throw new NotSupportedException("garnet is not wired yet");

    [GeneratedRegex("Ready")]
    private static partial Regex ReadyLine();
}
