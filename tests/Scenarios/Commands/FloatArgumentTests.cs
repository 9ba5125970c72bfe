namespace AofSim.Scenarios.Commands;

/// <summary>
/// What a float argument may be (the seed's getDoubleFromObject over strtod): each ZADD score,
/// INCRBYFLOAT increment and stored value below was given to redis-server 7.0.15, and each answer
/// expected here is the one it gave, the score as ZSCORE printed it.
/// </summary>
public sealed class FloatArgumentTests
{
    private const string NotFloat = "-ERR value is not a valid float\r\n";

    private readonly CommandHarness h = new();

    [Theory]
    [InlineData("0x1p3", "8")] // C99 hexadecimal floats
    [InlineData("0X.8", "0.5")]
    [InlineData("-0x10", "-16")]
    [InlineData("0x1.8P+1", "3")]
    [InlineData("1e5", "100000")]
    [InlineData(".5", "0.5")]
    [InlineData("5.", "5")]
    [InlineData("-inf", "-inf")]
    [InlineData("1e-310", "9.9999999999999694e-311")] // a denormal result is kept
    [InlineData("4.9e-324", "4.9406564584124654e-324")]
    public void ZAddTakesWhatStrtodReadsWhole(string score, string shown)
    {
        Assert.Equal(":1\r\n", h.Run($"ZADD z {score} m"));
        Assert.Equal($"${shown.Length}\r\n{shown}\r\n", h.Run("ZSCORE z m"));
    }

    [Theory]
    [InlineData("1e400")] // overflow: strtod's ERANGE with HUGE_VAL
    [InlineData("-1e400")]
    [InlineData("1e-400")] // underflow to zero: ERANGE with 0
    [InlineData("0x")] // strtod stops after the 0: something is left over
    [InlineData("0x1p")]
    [InlineData("0xg")]
    [InlineData("0x1p3x")]
    [InlineData("1e")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("nan")]
    [InlineData("")]
    public void ZAddRefusesWhatStrtodCannotReadWholeOrOutOfRange(string score)
    {
        Assert.Equal(NotFloat, h.Run("ZADD", "z", score, "m"));
        Assert.Equal(":0\r\n", h.Run("EXISTS z"));
    }

    [Fact]
    public void ANumberHasNoLengthLimit()
    {
        // 512 and 9,001 characters: redis-server 7.0.15 took both as ZADD scores.
        string long512 = "1" + new string('0', 300) + "." + new string('0', 211);
        string long9001 = new string('0', 9000) + "1";
        Assert.Equal(":1\r\n", h.Run("ZADD", "z", long512, "a"));
        Assert.Equal(":1\r\n", h.Run("ZADD", "z", long9001, "b"));
        Assert.Equal("$1\r\n1\r\n", h.Run("ZSCORE z b"));

        // And an increment of 600 characters is one.
        h.Setup("SET f 1");
        Assert.Equal("$1\r\n2\r\n", h.Run("INCRBYFLOAT", "f", new string('0', 599) + "1"));
    }

    [Fact]
    public void AStoredValueWithABlankAroundItIsNotAFloat()
    {
        h.Run("SET", "f", " 1");
        Assert.Equal(NotFloat, h.Run("INCRBYFLOAT f 1"));
        h.Run("SET", "f", "1 ");
        Assert.Equal(NotFloat, h.Run("INCRBYFLOAT f 1"));
        h.Run("HSET", "hh", "f", " 2");
        Assert.Equal("-ERR hash value is not a float\r\n", h.Run("HINCRBYFLOAT hh f 1"));
    }
}
