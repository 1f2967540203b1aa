using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace Sluice.Cli.Infrastructure;

/// <summary>
/// Parses key/value literals for map commands. A literal is space- or comma-separated parts, concatenated:
/// plain hex bytes ("01 02 0a ff", "0x0a", "01020304"), or typed parts in host byte order
/// (u8:N u16:N u32:N u64:N i32:N i64:N), network-order addresses (ipv4:198.18.0.1, ipv6:fd00::1),
/// be16:/be32: for network-order integers. Example: "u32:24 ipv4:198.18.0.0" is an LPM key.
/// </summary>
internal static class ByteLiteral
{
    internal static byte[] Parse(string text, string what)
    {
        var bytes = new List<byte>();
        foreach (var part in text.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                AppendPart(part, bytes);
            }
            catch (Exception error) when (error is FormatException or OverflowException or ArgumentException)
            {
                throw new CliError($"{what}: cannot read '{part}' ({SystemErrorText.Sentence(error).TrimEnd('.')}); use hex bytes like '0a 00 00 01' or typed parts like u32:10 ipv4:198.18.0.1");
            }
        }
        if (bytes.Count == 0) throw new CliError($"{what} is empty");
        return [.. bytes];
    }

    private static void AppendPart(string part, List<byte> bytes)
    {
        int colon = part.IndexOf(':', StringComparison.Ordinal);
        string kind = colon > 0 ? part[..colon].ToLowerInvariant() : "";
        string value = colon > 0 ? part[(colon + 1)..] : part;
        Span<byte> buffer = stackalloc byte[16];
        switch (kind)
        {
            case "u8": bytes.Add(byte.Parse(value, CultureInfo.InvariantCulture)); return;
            case "u16": BinaryPrimitives.WriteUInt16LittleEndian(buffer, ushort.Parse(value, CultureInfo.InvariantCulture)); bytes.AddRange(buffer[..2]); return;
            case "u32": BinaryPrimitives.WriteUInt32LittleEndian(buffer, uint.Parse(value, CultureInfo.InvariantCulture)); bytes.AddRange(buffer[..4]); return;
            case "u64": BinaryPrimitives.WriteUInt64LittleEndian(buffer, ulong.Parse(value, CultureInfo.InvariantCulture)); bytes.AddRange(buffer[..8]); return;
            case "i32": BinaryPrimitives.WriteInt32LittleEndian(buffer, int.Parse(value, CultureInfo.InvariantCulture)); bytes.AddRange(buffer[..4]); return;
            case "i64": BinaryPrimitives.WriteInt64LittleEndian(buffer, long.Parse(value, CultureInfo.InvariantCulture)); bytes.AddRange(buffer[..8]); return;
            case "be16": BinaryPrimitives.WriteUInt16BigEndian(buffer, ushort.Parse(value, CultureInfo.InvariantCulture)); bytes.AddRange(buffer[..2]); return;
            case "be32": BinaryPrimitives.WriteUInt32BigEndian(buffer, uint.Parse(value, CultureInfo.InvariantCulture)); bytes.AddRange(buffer[..4]); return;
            case "ipv4" or "ipv6":
                var address = IPAddress.Parse(value);
                if ((kind == "ipv4") != (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork))
                    throw new FormatException($"not an {kind.ToUpperInvariant()} address");
                bytes.AddRange(address.GetAddressBytes());
                return;
            case "":
                AppendHex(value, bytes);
                return;
            default:
                throw new FormatException($"unknown part type '{kind}'");
        }
    }

    private static void AppendHex(string value, List<byte> bytes)
    {
        string hex = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value[2..] : value;
        if (hex.Length == 0) throw new FormatException("no digits");
        if (hex.Length % 2 == 1) hex = "0" + hex;
        bytes.AddRange(Convert.FromHexString(hex));
    }

    internal static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant() switch
    {
        var hex => string.Join(' ', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2))),
    };
}
