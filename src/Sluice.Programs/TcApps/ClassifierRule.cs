using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Sluice.Programs.Guard;

namespace Sluice.Programs.TcApps;

/// <summary>
/// What a qos or mirror rule matches: IP protocol, source prefix, destination prefix and destination port range, each
/// optional (null = any). All given parts must match. A port range needs TCP or UDP (or no protocol: then it matches
/// TCP and UDP packets with that port); packets without ports (ICMP, later fragments) never match a port rule.
/// </summary>
public sealed record ClassifierRule
{
    /// <summary>IP protocol number (6 TCP, 17 UDP, ...), or null for any.</summary>
    public byte? Protocol { get; init; }

    /// <summary>Source prefix, or null for any.</summary>
    public IPNetwork? Source { get; init; }

    /// <summary>Destination prefix, or null for any.</summary>
    public IPNetwork? Destination { get; init; }

    /// <summary>Destination port range (inclusive), or null for any.</summary>
    public (ushort Low, ushort High)? Ports { get; init; }

    /// <summary>True when nothing is constrained (the rule would match every packet).</summary>
    public bool MatchesEverything => Protocol is null && Source is null && Destination is null && Ports is null;

    /// <summary>The IP family the rule's prefixes pin it to, or null when it has none.</summary>
    private AddressFamily? Family => Source?.BaseAddress.AddressFamily ?? Destination?.BaseAddress.AddressFamily;

    /// <summary>True when some packet could match both rules.</summary>
    public bool Overlaps(ClassifierRule other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Protocol is { } p && other.Protocol is { } q && p != q) return false;
        if (Family is { } f && other.Family is { } g && f != g) return false;
        if (!Nested(Source, other.Source) || !Nested(Destination, other.Destination)) return false;
        if (Ports is { } a && other.Ports is { } b && (a.High < b.Low || b.High < a.Low)) return false;
        return true;
    }

    private static bool Nested(IPNetwork? a, IPNetwork? b)
    {
        if (a is not { } x || b is not { } y) return true;
        if (x.BaseAddress.AddressFamily != y.BaseAddress.AddressFamily) return false;
        return x.Contains(y.BaseAddress) || y.Contains(x.BaseAddress);
    }

    /// <summary>"tcp src 198.18.0.0/16 port 80-90", or "any".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Protocol is { } protocol) parts.Add(ProtocolName(protocol));
        if (Source is { } source) parts.Add($"src {source}");
        if (Destination is { } destination) parts.Add($"dst {destination}");
        if (Ports is { } ports) parts.Add(ports.Low == ports.High ? $"port {ports.Low}" : $"port {ports.Low}-{ports.High}");
        return parts.Count == 0 ? "any" : string.Join(' ', parts);
    }

    /// <summary>tcp, udp, icmp, icmpv6 or the number.</summary>
    public static string ProtocolName(byte protocol) => protocol switch
    {
        6 => "tcp",
        17 => "udp",
        1 => "icmp",
        58 => "icmpv6",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Builds a rule from its parts as text (each null = any); checks every part and their combination.</summary>
    /// <exception cref="TcAppException">A part is malformed (kind <see cref="TcAppError.InvalidInput"/>).</exception>
    public static ClassifierRule Parse(string? protocol, string? source, string? destination, string? port)
    {
        var rule = new ClassifierRule
        {
            Protocol = protocol is null ? null : ParseProtocol(protocol),
            Source = source is null ? null : ParseNetwork(source),
            Destination = destination is null ? null : ParseNetwork(destination),
            Ports = port is null ? null : ParsePorts(port),
        };
        if (rule.Source is { } s && rule.Destination is { } d && s.BaseAddress.AddressFamily != d.BaseAddress.AddressFamily)
            throw new TcAppException($"source {s} and destination {d} are of different IP families: no packet matches both");
        if (rule.Ports is not null && rule.Protocol is { } p && p != 6 && p != 17)
            throw new TcAppException($"a port needs protocol tcp or udp, not {ProtocolName(p)}");
        return rule;
    }

    /// <summary>Parses the text form: words "tcp|udp|icmp|icmpv6|proto N", "src CIDR", "dst CIDR", "port N|N-M", in any order; "any" or "" = everything.</summary>
    public static ClassifierRule ParseText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? protocol = null, source = null, destination = null, port = null;
        var words = text.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < words.Length; i++)
        {
            string word = words[i].ToLowerInvariant();
            string Next() => i + 1 < words.Length ? words[++i] : throw new TcAppException($"'{word}' needs a value in rule '{text}'");
            switch (word)
            {
                case "any": break;
                case "tcp" or "udp" or "icmp" or "icmpv6": Set(ref protocol, word, "protocol"); break;
                case "proto": Set(ref protocol, Next(), "protocol"); break;
                case "src" or "from": Set(ref source, Next(), "src"); break;
                case "dst" or "to": Set(ref destination, Next(), "dst"); break;
                case "port" or "dport": Set(ref port, Next(), "port"); break;
                default: throw new TcAppException($"unknown word '{words[i]}' in rule '{text}' (expected tcp, udp, icmp, icmpv6, proto N, src CIDR, dst CIDR, port N|N-M)");
            }
        }
        return Parse(protocol, source, destination, port);

        void Set(ref string? slot, string value, string what)
        {
            if (slot is not null) throw new TcAppException($"rule '{text}' gives the {what} twice");
            slot = value;
        }
    }

    /// <summary>tcp, udp, icmp, icmpv6 or 0..255.</summary>
    public static byte ParseProtocol(string text) => text.ToLowerInvariant() switch
    {
        "tcp" => 6,
        "udp" => 17,
        "icmp" => 1,
        "icmpv6" => 58,
        _ => byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out byte number)
            ? number
            : throw new TcAppException($"'{text}' is not a protocol (tcp, udp, icmp, icmpv6 or 0..255)"),
    };

    /// <summary>A CIDR or bare address; host bits must be zero.</summary>
    public static IPNetwork ParseNetwork(string text)
    {
        if (!GuardRuleParser.TryParseNetwork(text, out var network, out var error)) throw new TcAppException(error);
        return network;
    }

    /// <summary>N or N-M with 1 &lt;= N &lt;= M &lt;= 65535.</summary>
    public static (ushort Low, ushort High) ParsePorts(string text)
    {
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        string lowText = dash < 0 ? text : text[..dash], highText = dash < 0 ? text : text[(dash + 1)..];
        if (!ushort.TryParse(lowText, NumberStyles.None, CultureInfo.InvariantCulture, out ushort low) ||
            !ushort.TryParse(highText, NumberStyles.None, CultureInfo.InvariantCulture, out ushort high) || low == 0 || high < low)
            throw new TcAppException($"'{text}' is not a port or port range (1..65535, N-M with N <= M)");
        return (low, high);
    }

    /// <summary>The prefix as the maps store it: IPv6 as is, IPv4 as ::ffff:a.b.c.d with 96 + its length.</summary>
    internal static (IPAddress Address, int PrefixLength) Mapped(IPNetwork network) =>
        network.BaseAddress.AddressFamily == AddressFamily.InterNetwork
            ? (network.BaseAddress.MapToIPv6(), 96 + network.PrefixLength)
            : (network.BaseAddress, network.PrefixLength);

    /// <summary>The inverse of <see cref="Mapped"/>.</summary>
    internal static IPNetwork Unmapped(IPAddress address, int prefixLength) =>
        address.IsIPv4MappedToIPv6 && prefixLength >= 96 ? new IPNetwork(address.MapToIPv4(), prefixLength - 96) : new IPNetwork(address, prefixLength);
}
