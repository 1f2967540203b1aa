using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Sluice.Programs.Guard;

/// <summary>The rule text grammar <c>[allow|deny] CIDR [PROTO[/PORT]]</c> (Guard/README.md).</summary>
internal static class GuardRuleParser
{
    private static readonly char[] Blanks = [' ', '\t'];

    internal static bool TryParse(string text, GuardRuleAction defaultAction, [NotNullWhen(true)] out GuardRule? rule,
        [NotNullWhen(false)] out string? error)
    {
        rule = null;
        if (text is null)
        {
            error = "empty rule";
            return false;
        }
        var words = text.Split(Blanks, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0)
        {
            error = "empty rule";
            return false;
        }
        int next = 0;
        var action = defaultAction;
        if (words[0].Equals("allow", StringComparison.OrdinalIgnoreCase)) (action, next) = (GuardRuleAction.Allow, 1);
        else if (words[0].Equals("deny", StringComparison.OrdinalIgnoreCase)) (action, next) = (GuardRuleAction.Deny, 1);
        if (next >= words.Length)
        {
            error = $"'{text.Trim()}': a rule needs an address or prefix (CIDR)";
            return false;
        }
        if (!TryParseNetwork(words[next], out var network, out error)) return false;
        next++;
        byte protocol = 0;
        ushort port = 0;
        if (next < words.Length)
        {
            if (!TryParseScope(words[next], out protocol, out port, out error)) return false;
            next++;
        }
        if (next < words.Length)
        {
            error = $"'{text.Trim()}': unexpected '{words[next]}' (the form is [allow|deny] CIDR [PROTO[/PORT]])";
            return false;
        }
        if (Check(network, protocol, port) is { } problem)
        {
            error = $"'{text.Trim()}': {problem}";
            return false;
        }
        rule = new GuardRule(network, action, protocol, port);
        error = null;
        return true;
    }

    /// <summary>A CIDR or bare address; host bits must be zero (the error names the network).</summary>
    internal static bool TryParseNetwork(string word, out IPNetwork network, [NotNullWhen(false)] out string? error)
    {
        network = default;
        int slash = word.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? word : word[..slash];
        if (addressText.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(addressText, out var address) ||
            (address.AddressFamily == AddressFamily.InterNetwork && addressText.Count(c => c == '.') != 3))
        {
            error = $"'{word}' is not an IP address or CIDR prefix";
            return false;
        }
        int bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = bits;
        if (slash >= 0 && (!int.TryParse(word.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits))
        {
            error = $"'{word}': the prefix length must be 0..{bits}";
            return false;
        }
        var masked = Mask(address, prefix);
        if (!masked.Equals(address))
        {
            error = $"'{word}' has host bits set: the network is {masked}/{prefix}";
            return false;
        }
        network = new IPNetwork(address, prefix);
        error = null;
        return true;
    }

    private static bool TryParseScope(string word, out byte protocol, out ushort port, [NotNullWhen(false)] out string? error)
    {
        protocol = 0;
        port = 0;
        int slash = word.IndexOf('/', StringComparison.Ordinal);
        string name = slash < 0 ? word : word[..slash];
        if (ProtocolNumber(name) is not { } number)
        {
            error = $"'{name}' is not a protocol (tcp, udp, icmp, icmpv6 or a number 1..255)";
            return false;
        }
        protocol = number;
        if (slash >= 0)
        {
            if (!ushort.TryParse(word.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port == 0)
            {
                error = $"'{word}': the port must be 1..65535";
                return false;
            }
        }
        error = null;
        return true;
    }

    /// <summary>Why the fields are not a valid rule, or null.</summary>
    internal static string? Check(IPNetwork source, byte protocol, ushort port)
    {
        if (!Mask(source.BaseAddress, source.PrefixLength).Equals(source.BaseAddress))
            return $"'{source}' has host bits set: the network is {Mask(source.BaseAddress, source.PrefixLength)}/{source.PrefixLength}";
        if (port != 0 && protocol is not (GuardRule.Tcp or GuardRule.Udp))
            return $"a port needs tcp or udp, not {(protocol == 0 ? "every protocol" : ProtocolName(protocol))}";
        return null;
    }

    internal static byte? ProtocolNumber(string name) => name.ToLowerInvariant() switch
    {
        "tcp" => GuardRule.Tcp,
        "udp" => GuardRule.Udp,
        "icmp" => GuardRule.Icmp,
        "icmpv6" or "ipv6-icmp" => GuardRule.Icmpv6,
        _ => byte.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out byte n) && n != 0 ? n : null,
    };

    internal static string ProtocolName(byte protocol) => protocol switch
    {
        GuardRule.Tcp => "tcp",
        GuardRule.Udp => "udp",
        GuardRule.Icmp => "icmp",
        GuardRule.Icmpv6 => "icmpv6",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };

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
