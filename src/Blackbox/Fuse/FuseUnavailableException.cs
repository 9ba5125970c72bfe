namespace AofSim.Blackbox.Fuse;

/// <summary>A FUSE mount could not be made here; the message is one line saying why.</summary>
public sealed class FuseUnavailableException : Exception
{
    /// <summary>Why, in one line.</summary>
    public FuseUnavailableException(string reason)
        : base(reason)
    {
    }
}
