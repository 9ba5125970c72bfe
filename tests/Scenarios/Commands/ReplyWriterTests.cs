using System.Text;
using AofSim.Engine.Commands;
using AofSim.Engine.Text;
using Xunit;

namespace AofSim.Scenarios.Commands;

/// <summary>
/// The RESP error line: a CR or LF inside the text becomes a space, as Redis 7 does (a real
/// redis-server 7.0.15 answers a command named "a\r\nb" with <c>-ERR unknown command 'a  b'</c>), so
/// that an error echoing the client's bytes is still one line.
/// </summary>
public sealed class ReplyWriterTests
{
    [Theory]
    [InlineData("ERR unknown command 'a'", "-ERR unknown command 'a'\r\n")]
    [InlineData("ERR unknown command 'a\r\nb'", "-ERR unknown command 'a  b'\r\n")]
    [InlineData("\nx", "- x\r\n")]
    public void AnErrorIsOneLine(string text, string expected)
    {
        var output = new ByteBuffer();
        new ReplyWriter(output).Error(text);
        Assert.Equal(expected, Encoding.Latin1.GetString(output.Span));
    }
}
