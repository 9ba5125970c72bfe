using AofSim.Engine.Text;

namespace AofSim.Scenarios.Structures;

/// <summary>
/// The buffer's room, the seed's sdsavail: the capacity asked for, less what was written.
/// </summary>
public sealed class ByteBufferTests
{
    [Fact]
    public void TheRoomIsTheCapacityLessWhatWasWritten()
    {
        var b = new ByteBuffer(64);
        Assert.Equal(64, b.Available);
        b.Append(new byte[10]);
        Assert.Equal(54, b.Available);
        Assert.Equal(10, b.Length);
    }
}
