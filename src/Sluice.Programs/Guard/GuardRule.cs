using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Sluice.Programs.Guard;

/// <summary>What a rule does with the packets it matches.</summary>
public enum GuardRuleAction
{
    /// <summary>Pass, skipping rate limits.</summary>
    Allow,
    /// <summary>Drop.</summary>
    Deny,
}

/// <summary>
/// One guard rule: a source prefix, allow or deny, optionally scoped to an IP protocol and a TCP/UDP destination
/// port. Text form (Guard/README.md): <c>[allow|deny] CIDR [PROTO[/PORT]]</c>, e.g. <c>deny 198.19.0.0/16 udp/11211</c>.
/// </summary>
/// <param name="Source">The source prefix (host bits zero).</param>
/// <param name="Action">Allow or deny.</param>
/// <param name="Protocol">IP protocol number; 0 = every protocol.</param>
/// <param name="Port">TCP/UDP destination port; 0 = every port (only with TCP or UDP).</param>
public sealed record GuardRule(IPNetwork Source, GuardRuleAction Action, byte Protocol = 0, ushort Port = 0)
{
    /// <summary>IPPROTO_ICMP.</summary>
    public const byte Icmp = 1;
    /// <summary>IPPROTO_TCP.</summary>
    public const byte Tcp = 6;
    /// <summary>IPPROTO_UDP.</summary>
    public const byte Udp = 17;
    /// <summary>IPPROTO_ICMPV6.</summary>
    public const byte Icmpv6 = 58;

    /// <summary>Any (no protocol), Protocol (protocol, every port) or Port (protocol and port).</summary>
    public GuardScope Scope => Port != 0 ? GuardScope.Port : Protocol != 0 ? GuardScope.Protocol : GuardScope.Any;

    /// <summary>True for an IPv4 source prefix.</summary>
    public bool IsIPv4 => Source.BaseAddress.AddressFamily == AddressFamily.InterNetwork;

    /// <summary>The rule's identity in the maps: prefix and scope (protocol, port), without the action.</summary>
    public GuardRuleKey Key => new(Source, Protocol, Port);

    /// <summary>Parses rule text; a missing action is <paramref name="defaultAction"/>.</summary>
    /// <exception cref="GuardException">The text is not a valid rule; the message says why.</exception>
    public static GuardRule Parse(string text, GuardRuleAction defaultAction = GuardRuleAction.Deny) =>
        TryParse(text, defaultAction, out var rule, out var error) ? rule : throw new GuardException(error);

    /// <summary>Parses rule text without throwing; <paramref name="error"/> is a one-line reason on failure.</summary>
    public static bool TryParse(string text, GuardRuleAction defaultAction, [NotNullWhen(true)] out GuardRule? rule,
        [NotNullWhen(false)] out string? error) => GuardRuleParser.TryParse(text, defaultAction, out rule, out error);

    /// <summary>Checks the fields (host bits zero, port only with TCP/UDP); <see cref="Parse"/> already did for parsed rules.</summary>
    /// <exception cref="GuardException">The rule is invalid.</exception>
    public void Validate()
    {
        if (GuardRuleParser.Check(Source, Protocol, Port) is { } error) throw new GuardException($"invalid rule '{this}': {error}");
    }

    /// <summary>The canonical text, e.g. <c>deny 198.19.0.0/16 udp/11211</c> (always with the action and prefix length).</summary>
    public override string ToString()
    {
        string action = Action == GuardRuleAction.Allow ? "allow" : "deny";
        string scope = ScopeText(Protocol, Port);
        return scope.Length == 0 ? $"{action} {Source}" : $"{action} {Source} {scope}";
    }

    /// <summary>"tcp/443", "icmp", "47" or "" (every protocol).</summary>
    public static string ScopeText(byte protocol, ushort port)
    {
        if (protocol == 0) return "";
        string name = GuardRuleParser.ProtocolName(protocol);
        return port == 0 ? name : $"{name}/{port}";
    }
}

/// <summary>A rule's identity in the maps: the prefix and scope; allow and deny of the same key conflict.</summary>
/// <param name="Source">The source prefix.</param>
/// <param name="Protocol">IP protocol; 0 = every protocol.</param>
/// <param name="Port">Destination port; 0 = every port.</param>
public readonly record struct GuardRuleKey(IPNetwork Source, byte Protocol, ushort Port)
{
    /// <summary>The key without an action, e.g. <c>198.18.0.0/16 tcp/443</c>.</summary>
    public override string ToString()
    {
        string scope = GuardRule.ScopeText(Protocol, Port);
        return scope.Length == 0 ? Source.ToString() : $"{Source} {scope}";
    }
}
