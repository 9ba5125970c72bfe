namespace AofSim.Engine.Diagnostics;

/// <summary>The default sink: every hit is ignored.</summary>
public sealed class NoProbes : IProbeSink
{
    /// <summary>The one instance.</summary>
    public static readonly NoProbes Instance = new();

    private NoProbes()
    {
    }

    /// <inheritdoc/>
    public void Hit(ProbeId probe)
    {
    }
}
