using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Sluice.Programs.Guard;

/// <summary>The rule text grammar <c>[allow|deny] CIDR [PROTO[/PORT]]</c> (Guard/README.md).</summary>
internal static class GuardRuleParser
{
    internal static bool TryParse(string text, GuardRuleAction defaultAction, [NotNullWhen(true)] out GuardRule? rule,
        [NotNullWhen(false)] out string? error)
    {
        // Span tokenizing: an import parses a million of these, so nothing is allocated but the rule itself.
        rule = null;
        var rest = (text ?? "").AsSpan();
        var first = NextWord(ref rest);
        if (first.IsEmpty)
        {
            error = "empty rule";
            return false;
        }
        var action = defaultAction;
        var word = first;
        bool allow = first.Equals("allow", StringComparison.OrdinalIgnoreCase);
        if (allow || first.Equals("deny", StringComparison.OrdinalIgnoreCase))
        {
            action = allow ? GuardRuleAction.Allow : GuardRuleAction.Deny;
            word = NextWord(ref rest);
        }
        if (word.IsEmpty)
        {
            error = $"'{text!.Trim()}': a rule needs an address or prefix (CIDR)";
            return false;
        }
        if (!TryParseNetwork(word, out var network, out error)) return false;
        byte protocol = 0;
        ushort port = 0;
        var scope = NextWord(ref rest);
        if (!scope.IsEmpty && !TryParseScope(scope, text!.Trim(), out protocol, out port, out error)) return false;
        var extra = NextWord(ref rest);
        if (!extra.IsEmpty)
        {
            error = $"'{text!.Trim()}': unexpected '{extra}' (the form is [allow|deny] CIDR [PROTO[/PORT]])";
            return false;
        }
        if (port != 0 && protocol is not (GuardRule.Tcp or GuardRule.Udp))
        {
            error = $"'{text!.Trim()}': a port needs tcp or udp, not {ProtocolName(protocol)}";
            return false;
        }
        rule = new GuardRule(network, action, protocol, port);
        error = null;
        return true;
    }

    private static ReadOnlySpan<char> NextWord(ref ReadOnlySpan<char> rest)
    {
        rest = rest.TrimStart();
        int end = rest.IndexOfAny(' ', '\t');
        if (end < 0) end = rest.Length;
        var word = rest[..end];
        rest = rest[end..];
        return word;
    }

    /// <summary>A CIDR or bare address; host bits must be zero (the error names the network).</summary>
    internal static bool TryParseNetwork(ReadOnlySpan<char> word, out IPNetwork network, [NotNullWhen(false)] out string? error)
    {
        network = default;
        int slash = word.IndexOf('/');
        var addressText = slash < 0 ? word : word[..slash];
        if (addressText.Contains('%') || !IPAddress.TryParse(addressText, out var address))
        {
            error = $"'{word}' is not an IP address or CIDR prefix";
            return false;
        }
        // IPAddress.TryParse takes inet_aton forms (010.0.0.0 is 8.0.0.0, 0x0a.0.0.0 is 10.0.0.0, 10 is 0.0.0.10): a rule must
        // never install a different prefix than the one an operator read, so IPv4 (alone or inside IPv6) is four
        // decimal octets without leading zeros.
        bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
        if ((v4 || addressText.Contains('.')) && !IsDottedQuad(addressText[(addressText.LastIndexOf(':') + 1)..]))
        {
            error = $"'{word}': IPv4 addresses are four decimal numbers 0..255 without leading zeros (e.g. 198.18.0.0)";
            return false;
        }
        int bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = bits;
        if (slash >= 0 && (!int.TryParse(word[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits))
        {
            error = $"'{word}': the prefix length must be 0..{bits}";
            return false;
        }
        if (HasHostBits(address, prefix))
        {
            error = $"'{word}' has host bits set: the network is {Mask(address, prefix)}/{prefix}";
            return false;
        }
        network = new IPNetwork(address, prefix);
        error = CheckIdentity(network);
        return error is null;
    }

    /// <summary>
    /// Refuses IPv4-mapped IPv6 prefixes (inside ::ffff:0:0/96): the guard treats IPv4-mapped sources as the IPv4
    /// hosts they name (Guard/README.md, "Addresses"), so such a rule would never match; the error gives the IPv4
    /// form to write instead. Null when the prefix is fine.
    /// </summary>
    internal static string? CheckIdentity(IPNetwork network)
    {
        var address = network.BaseAddress;
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || network.PrefixLength < 96 || !address.IsIPv4MappedToIPv6)
            return null;
        return $"'{network}' is an IPv4-mapped prefix, refused (not converted): the guard treats IPv4-mapped sources as IPv4, "
            + $"write it as {address.MapToIPv4()}/{network.PrefixLength - 96}";
    }

    /// <summary>Four decimal octets 0..255 separated by dots, no leading zeros, nothing else.</summary>
    internal static bool IsDottedQuad(ReadOnlySpan<char> text)
    {
        int octets = 0;
        while (true)
        {
            int end = text.IndexOf('.');
            var octet = end < 0 ? text : text[..end];
            if (octet.Length is 0 or > 3 || (octet.Length > 1 && octet[0] == '0')) return false;
            int value = 0;
            foreach (char c in octet)
            {
                if (c is < '0' or > '9') return false;
                value = value * 10 + (c - '0');
            }
            if (value > 255) return false;
            octets++;
            if (end < 0) return octets == 4;
            text = text[(end + 1)..];
        }
    }

    private static bool TryParseScope(ReadOnlySpan<char> word, string text, out byte protocol, out ushort port, [NotNullWhen(false)] out string? error)
    {
        protocol = 0;
        port = 0;
        int slash = word.IndexOf('/');
        var name = slash < 0 ? word : word[..slash];
        if (ProtocolNumber(name) is not { } number)
        {
            error = $"'{name}' is not a protocol (tcp, udp, icmp, icmpv6 or a number 1..255)";
            return false;
        }
        protocol = number;
        if (slash >= 0)
        {
            if (!ushort.TryParse(word[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port == 0)
            {
                error = $"'{text}': the port must be 1..65535";
                return false;
            }
        }
        error = null;
        return true;
    }

    /// <summary>Why the fields are not a valid rule, or null.</summary>
    internal static string? Check(IPNetwork source, byte protocol, ushort port)
    {
        if (HasHostBits(source.BaseAddress, source.PrefixLength))
            return $"'{source}' has host bits set: the network is {Mask(source.BaseAddress, source.PrefixLength)}/{source.PrefixLength}";
        if (port != 0 && protocol is not (GuardRule.Tcp or GuardRule.Udp))
            return $"a port needs tcp or udp, not {(protocol == 0 ? "every protocol" : ProtocolName(protocol))}";
        return null;
    }

    internal static byte? ProtocolNumber(ReadOnlySpan<char> name)
    {
        if (name.Equals("tcp", StringComparison.OrdinalIgnoreCase)) return GuardRule.Tcp;
        if (name.Equals("udp", StringComparison.OrdinalIgnoreCase)) return GuardRule.Udp;
        if (name.Equals("icmp", StringComparison.OrdinalIgnoreCase)) return GuardRule.Icmp;
        if (name.Equals("icmpv6", StringComparison.OrdinalIgnoreCase) || name.Equals("ipv6-icmp", StringComparison.OrdinalIgnoreCase)) return GuardRule.Icmpv6;
        return byte.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out byte n) && n != 0 ? n : null;
    }

    internal static string ProtocolName(byte protocol) => protocol switch
    {
        GuardRule.Tcp => "tcp",
        GuardRule.Udp => "udp",
        GuardRule.Icmp => "icmp",
        GuardRule.Icmpv6 => "icmpv6",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>True when bits after <paramref name="prefix"/> are set (no allocation).</summary>
    internal static bool HasHostBits(IPAddress address, int prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        for (int i = 0; i < length; i++)
        {
            int keep = Math.Clamp(prefix - i * 8, 0, 8);
            if ((bytes[i] & (byte)~(0xFF00 >> keep)) != 0) return true;
        }
        return false;
    }

    /// <summary>The address with every bit after <paramref name="prefix"/> cleared.</summary>
    internal static IPAddress Mask(IPAddress address, int prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        bytes = bytes[..length];
        for (int i = 0; i < length; i++)
        {
            int keep = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF00 >> keep);
        }
        return new IPAddress(bytes);
    }
}
