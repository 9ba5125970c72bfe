using System.Text;
using AofSim.Engine.Data;

namespace AofSim.Scenarios.Structures;

/// <summary>The database's guard: a command may only change in place a collection that exists.</summary>
public sealed class DatabaseTests
{
    [Fact]
    public void MutatingAMissingKeyIsAProgrammingErrorNamedAsSuch()
    {
        Database db = new Dataset()[0];
        var e = Assert.Throws<InvalidOperationException>(() => db.Mutable<RedisStream>(Encoding.ASCII.GetBytes("missing")));
        Assert.Equal("mutation of a missing key", e.Message);
    }
}
