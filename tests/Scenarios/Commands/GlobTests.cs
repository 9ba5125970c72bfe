using System.Text;
using AofSim.Engine.Text;
using Xunit;

namespace AofSim.Scenarios.Commands;

/// <summary>
/// The glob matcher behind KEYS, against Redis's stringmatchlen: every expected answer is what a
/// real redis-server 7.0.15 gave for <c>SET text 1</c> then <c>KEYS pattern</c>.
/// </summary>
public sealed class GlobTests
{
    [Theory]
    [InlineData("ab", "ab", true)]
    [InlineData("ab", "xab", false)] // a literal that differs fails at once: it does not swallow the text's byte
    [InlineData("a\\*b", "a*b", true)] // \ makes the next byte literal
    [InlineData("a\\*b", "axb", false)]
    [InlineData("\\*", "x*", false)] // an escaped byte that differs fails too: it does not swallow the text's byte
    [InlineData("a[", "a[", false)] // a bracket with nothing after it matches no byte
    [InlineData("a[", "ab", false)]
    public void LiteralsEscapesAndALoneBracket(string pattern, string text, bool expected) =>
        Assert.Equal(expected, Match(pattern, text));

    [Theory]
    [InlineData("[^a]", "b", true)]
    [InlineData("[^a]", "a", false)]
    [InlineData("[^a]", "^", true)] // the ^ negates; it is not a member of the set
    [InlineData("[axc]", "x", true)]
    [InlineData("[axc]", "b", false)] // three members, not the range a-c
    public void SetsAndNegatedSets(string pattern, string text, bool expected) =>
        Assert.Equal(expected, Match(pattern, text));

    [Theory]
    [InlineData("[a-c]", "a", true)] // both ends are inside the range
    [InlineData("[a-c]", "c", true)]
    [InlineData("[a-c]", "d", false)]
    [InlineData("[a-z]", "m", true)]
    [InlineData("[a-z]", "A", false)]
    [InlineData("[c-a]", "b", true)] // a reversed range is swapped
    [InlineData("[ba-c]", "b", true)] // a byte that hits twice is still a hit
    [InlineData("[a-]", "]", true)] // x-] is a range too, as stringmatchlen reads it: ]..a, swapped
    [InlineData("[a-]", "^", true)]
    [InlineData("[a-]", "a", true)]
    [InlineData("[a-]", "-", false)]
    [InlineData("[a-]", "b", false)]
    [InlineData("[a-", "a", true)] // unterminated: "a" and "-" are plain members
    [InlineData("[a-", "-", true)]
    [InlineData("[a-", "b", false)]
    public void Ranges(string pattern, string text, bool expected) =>
        Assert.Equal(expected, Match(pattern, text));

    private static bool Match(string pattern, string text) =>
        Glob.IsMatch(Encoding.Latin1.GetBytes(pattern), Encoding.Latin1.GetBytes(text));
}
