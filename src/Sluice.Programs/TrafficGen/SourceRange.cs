using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Sluice.Programs.TrafficGen;

/// <summary>
/// The sources a generator cycles through: <see cref="AddressCount"/> consecutive addresses from <see cref="First"/>
/// (for IPv6 only the last 32 bits vary) and <see cref="PortCount"/> consecutive ports from <see cref="FirstPort"/>.
/// Frame n uses address n mod AddressCount and port (n / AddressCount) mod PortCount.
/// </summary>
public sealed record SourceRange
{
    /// <summary>The ports a range uses when none are given: the Linux ephemeral range.</summary>
    public const ushort DefaultFirstPort = 32768, DefaultPortCount = 28232;

    /// <summary>Creates a range; it may not wrap past the end of the address's last 32 bits or of the port space.</summary>
    /// <exception cref="TrafficGenException">Empty or wrapping (<see cref="TrafficGenError.BadValue"/>).</exception>
    public SourceRange(IPAddress first, uint addressCount = 1, ushort firstPort = DefaultFirstPort, ushort portCount = DefaultPortCount)
    {
        ArgumentNullException.ThrowIfNull(first);
        if (addressCount == 0 || (ulong)LastWord(first) + addressCount - 1 > uint.MaxValue)
            throw new TrafficGenException(TrafficGenError.BadValue, $"source range of {addressCount} addresses from {first} is empty or wraps around");
        if (portCount == 0 || firstPort + portCount - 1 > ushort.MaxValue)
            throw new TrafficGenException(TrafficGenError.BadValue, $"source port range of {portCount} ports from {firstPort} is empty or ends past 65535");
        First = first;
        AddressCount = addressCount;
        FirstPort = firstPort;
        PortCount = portCount;
    }

    /// <summary>The first source address.</summary>
    public IPAddress First { get; }

    /// <summary>How many consecutive addresses.</summary>
    public uint AddressCount { get; }

    /// <summary>The first source port.</summary>
    public ushort FirstPort { get; }

    /// <summary>How many consecutive ports.</summary>
    public ushort PortCount { get; }

    /// <summary>The last address of the range.</summary>
    public IPAddress Last => WithLastWord(First, LastWord(First) + AddressCount - 1);

    /// <summary>Every address of <paramref name="network"/> (for IPv6 at most the 2^32 - 1 that share its first 96 bits), on the default ports.</summary>
    public static SourceRange FromNetwork(IPNetwork network)
    {
        int hostBits = (network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32) - network.PrefixLength;
        uint count = hostBits >= 32 ? uint.MaxValue : (uint)(1UL << hostBits);
        return new SourceRange(network.BaseAddress, count);
    }

    /// <summary>
    /// Parses <c>ADDR[-ADDR][:PORT[-PORT]]</c>; IPv6 with ports in brackets: <c>[ADDR[-ADDR]]:PORT[-PORT]</c>.
    /// Without ports the default (ephemeral) range is used.
    /// </summary>
    /// <exception cref="TrafficGenException">Malformed (<see cref="TrafficGenError.BadValue"/>).</exception>
    public static SourceRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (addresses, ports) = SplitPort(text);
        int dash = addresses.IndexOf('-', StringComparison.Ordinal);
        var first = ParseAddress(dash < 0 ? addresses : addresses[..dash], text);
        uint count = 1;
        if (dash >= 0)
        {
            var last = ParseAddress(addresses[(dash + 1)..], text);
            if (last.AddressFamily != first.AddressFamily || !SameUpperBits(first, last) || LastWord(last) < LastWord(first))
                throw new TrafficGenException(TrafficGenError.BadValue,
                    $"bad source range '{text}': the last address must follow the first (IPv6: differ only in the last 32 bits)");
            ulong span = (ulong)LastWord(last) - LastWord(first) + 1;
            if (span > uint.MaxValue) throw new TrafficGenException(TrafficGenError.BadValue, $"source range '{text}' is too large");
            count = (uint)span;
        }
        if (ports is null) return new SourceRange(first, count);
        var (firstPort, portCount) = ParsePorts(ports, text);
        return new SourceRange(first, count, firstPort, portCount);
    }

    /// <summary>Parses <c>PORT</c> or <c>PORT-PORT</c> into the first port and the count.</summary>
    internal static (ushort First, ushort Count) ParsePorts(string ports, string whole)
    {
        int dash = ports.IndexOf('-', StringComparison.Ordinal);
        ushort low = ParsePort(dash < 0 ? ports : ports[..dash], whole);
        ushort high = dash < 0 ? low : ParsePort(ports[(dash + 1)..], whole);
        if (high < low) throw new TrafficGenException(TrafficGenError.BadValue, $"bad port range in '{whole}': {high} is below {low}");
        return (low, (ushort)(high - low + 1));
    }

    /// <summary>Splits <c>ADDR:PORT</c>, <c>[V6]:PORT</c> or a bare address (IPv6 without brackets has no port).</summary>
    internal static (string Address, string? Port) SplitPort(string text)
    {
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) throw new TrafficGenException(TrafficGenError.BadValue, $"bad address '{text}': missing ']'");
            string rest = text[(close + 1)..];
            if (rest.Length == 0) return (text[1..close], null);
            if (!rest.StartsWith(':')) throw new TrafficGenException(TrafficGenError.BadValue, $"bad address '{text}': expected ':PORT' after ']'");
            return (text[1..close], rest[1..]);
        }
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0 && colon == text.LastIndexOf(':')) return (text[..colon], text[(colon + 1)..]);
        return (text, null);
    }

    internal static IPAddress ParseAddress(string text, string whole) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 &&
        !text.Contains('%', StringComparison.Ordinal)
            ? address
            : throw new TrafficGenException(TrafficGenError.BadValue, $"bad IP address '{text}' in '{whole}'");

    private static ushort ParsePort(string text, string whole) =>
        ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ushort port) && port > 0
            ? port
            : throw new TrafficGenException(TrafficGenError.BadValue, $"bad port '{text}' in '{whole}' (1-65535)");

    /// <summary>The address's last 32 bits as a number (the whole address for IPv4).</summary>
    internal static uint LastWord(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[(length - 4)..]);
    }

    internal static IPAddress WithLastWord(IPAddress address, uint word)
    {
        var bytes = address.GetAddressBytes();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(bytes.Length - 4), word);
        return new IPAddress(bytes);
    }

    private static bool SameUpperBits(IPAddress a, IPAddress b) =>
        a.GetAddressBytes().AsSpan(0, a.GetAddressBytes().Length - 4).SequenceEqual(b.GetAddressBytes().AsSpan(0, b.GetAddressBytes().Length - 4));

    /// <inheritdoc />
    public override string ToString()
    {
        string addresses = AddressCount == 1 ? First.ToString() : $"{First}-{Last}";
        string ports = PortCount == 1 ? $"{FirstPort}" : $"{FirstPort}-{FirstPort + PortCount - 1}";
        return First.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{addresses}]:{ports}" : $"{addresses}:{ports}";
    }
}
