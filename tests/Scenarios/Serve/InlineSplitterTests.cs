using System.Text;
using AofSim.Engine.Resp;

namespace AofSim.Scenarios.Serve;

/// <summary>
/// The inline splitter against sdssplitargs' rules, case by case (the expected words are read off
/// the rules in Redis's sds.c, not off the splitter).
/// </summary>
public sealed class InlineSplitterTests
{
    public static TheoryData<string, string[]> Splits => new()
    {
        { "SET k v", ["SET", "k", "v"] },
        { "  SET \t k  v  ", ["SET", "k", "v"] },
        { "\v\fSET k", ["SET", "k"] },               // blanks skipped between words are isspace's
        { "a\vb", ["a\vb"] },                          // but only space, \t, \r, \n end a word
        { "SET q \"hello world\"", ["SET", "q", "hello world"] },
        { "\"a\\x41\\x4a\\n\\r\\t\\b\\a\\\\\\\"\\z\"", ["aAJ\n\r\t\b\a\\\"z"] },
        { "\"\\x4\"", ["x4"] },                        // \x without two hex digits: the x itself
        { "'it\\'s'", ["it's"] },
        { "'a\\nb'", ["a\\nb"] },                      // single quotes: only \' is an escape
        { "foo\"bar baz\" x", ["foobar baz", "x"] },   // a quote may open inside a word
        { "\"\" ''", ["", ""] },
        { "", [] },
        { "   ", [] },
        { "SET a\0 b", ["SET", "a"] },                 // a C string: NUL ends the line
    };

    [Theory]
    [MemberData(nameof(Splits))]
    public void SplitsAsSdssplitargs(string line, string[] expected)
    {
        var argv = new List<byte[]>();
        Assert.True(InlineSplitter.TrySplit(Encoding.Latin1.GetBytes(line), argv));
        Assert.Equal(expected, argv.Select(a => Encoding.Latin1.GetString(a)));
    }

    [Theory]
    [InlineData("SET q \"unbalanced")]
    [InlineData("SET q 'unbalanced")]
    [InlineData("SET q \"a\"b")]       // a closing quote must be followed by a blank or the end
    [InlineData("SET q 'a'b")]
    [InlineData("\"ends in backslash\\")]
    [InlineData("\"a\0\"")]            // NUL inside quotes leaves them open
    public void UnbalancedQuotesFailTheWholeLine(string line)
    {
        var argv = new List<byte[]> { new byte[1] };
        Assert.False(InlineSplitter.TrySplit(Encoding.Latin1.GetBytes(line), argv));
        Assert.Empty(argv);
    }
}
