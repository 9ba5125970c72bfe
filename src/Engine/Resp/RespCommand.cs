using AofSim.Engine.Commands;
using AofSim.Engine.Text;
using System.Runtime.CompilerServices;

namespace AofSim.Engine.Resp;

/// <summary>The RESP form of a command, byte for byte as the seed writes it.</summary>
public static class RespCommand
{
    /// <summary>
    /// catAppendOnlyGenericCommand: <c>*&lt;argc&gt;\r\n</c> then, for each argument,
    /// <c>$&lt;len&gt;\r\n&lt;bytes&gt;\r\n</c>.
    /// </summary>
    // Hot in every seed: compiled optimized at once rather than after seconds at tier 0.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ByteBuffer Append(ByteBuffer dst, CommandArgs argv)
    {
        dst.Append((byte)'*').AppendDecimal(argv.Count).Append("\r\n"u8);
        for (int i = 0; i < argv.Count; i++)
        {
            AppendBulk(dst, argv[i]);
        }

        return dst;
    }

    /// <summary>catAppendOnlyGenericCommand over owned arrays.</summary>
    public static ByteBuffer Append(ByteBuffer dst, params ReadOnlySpan<byte[]> argv)
    {
        dst.Append((byte)'*').AppendDecimal(argv.Length).Append("\r\n"u8);
        foreach (byte[] arg in argv)
        {
            AppendBulk(dst, arg);
        }

        return dst;
    }

    /// <summary>One <c>$&lt;len&gt;\r\n&lt;bytes&gt;\r\n</c> element.</summary>
    public static ByteBuffer AppendBulk(ByteBuffer dst, ReadOnlySpan<byte> arg) =>
        dst.Append((byte)'$').AppendDecimal(arg.Length).Append("\r\n"u8).Append(arg).Append("\r\n"u8);

    /// <summary>The RESP bytes of one command.</summary>
    public static byte[] Encode(params string[] argv) => Append(new ByteBuffer(), CommandArgs.Of(argv)).ToArray();
}
