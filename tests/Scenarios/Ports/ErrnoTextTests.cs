using System.Runtime.InteropServices;
using AofSim.Engine.Ports;

namespace AofSim.Scenarios.Ports;

/// <summary>The seed's log lines print strerror(errno): the engine's texts are the C library's.</summary>
public sealed class ErrnoTextTests
{
    public static TheoryData<Errno> EveryErrno() => [.. Enum.GetValues<Errno>(), (Errno)200];

    [Theory]
    [MemberData(nameof(EveryErrno))]
    public void EachTextIsWhatStrerrorSays(Errno errno)
    {
        // On Linux (where the project runs) the runtime asks glibc's strerror for this message.
        Assert.Equal(Marshal.GetPInvokeErrorMessage((int)errno), ErrnoText.Strerror(errno));
    }
}
