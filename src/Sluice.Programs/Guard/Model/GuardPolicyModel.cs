using System.Net;
using System.Net.Sockets;

namespace Sluice.Programs.Guard.Model;

/// <summary>
/// The guard's XDP policy in C# (Guard/README.md, steps 1, 2, 4 and 6): the reference the BPF program is tested
/// against and what the controller asks before a change (would this rule set drop the SSH client?). Rate limits,
/// temporary blocks and SYN cookies (steps 4 and 5) are not modelled: the model is exact when every limit is off.
/// Pure: no kernel calls. Thread-safe after construction.
/// </summary>
public sealed class GuardPolicyModel
{
    private readonly Dictionary<RuleKey, Entry> _rules = [];
    private readonly int[] _lengthsV4, _lengthsV6;

    /// <summary>A model with the rule set and configuration as the maps hold them.</summary>
    /// <param name="rules">The rules; the same prefix and scope both allowed and denied means allow (both action bits).</param>
    /// <param name="config">Verdicts, suspicious marks and flags; only GUARD_F_PORT_RULES_V4/V6 and METADATA matter here.
    /// Without the port-rule flag of a family the scoped rules of that family are ignored, as the program does.</param>
    public GuardPolicyModel(IEnumerable<GuardRule> rules, GuardConfigValue config)
    {
        ArgumentNullException.ThrowIfNull(rules);
        Config = config;
        var lengths4 = new SortedSet<int>();
        var lengths6 = new SortedSet<int>();
        var list = new List<GuardRule>();
        foreach (var rule in rules)
        {
            ArgumentNullException.ThrowIfNull(rule);
            var key = RuleKey.Of(rule);
            (key.V6 ? lengths6 : lengths4).Add(key.PrefixLength);
            var action = rule.Action == GuardRuleAction.Allow ? GuardRuleActions.Allow : GuardRuleActions.Deny;
            if (_rules.TryGetValue(key, out var existing))
            {
                // The map holds one value per key with both bits; the allow rule is the one that wins.
                _rules[key] = new Entry(existing.Actions | action, action == GuardRuleActions.Allow ? rule : existing.Rule);
            }
            else
            {
                _rules[key] = new Entry(action, rule);
            }
            list.Add(rule);
        }
        Rules = list;
        _lengthsV4 = [.. lengths4.Reverse()];
        _lengthsV6 = [.. lengths6.Reverse()];
    }

    /// <summary>
    /// A model of the rule set and settings as the controller writes them: the port-rule flags follow the rules
    /// (<see cref="PortRuleFlags"/>). The limits in <paramref name="settings"/> are not modelled.
    /// </summary>
    public GuardPolicyModel(IEnumerable<GuardRule> rules, GuardSettings settings)
        : this(Materialize(rules, out var list), (settings ?? throw new ArgumentNullException(nameof(settings))).ToConfigValue(0, PortRuleFlags(list)))
    {
    }

    private static List<GuardRule> Materialize(IEnumerable<GuardRule> rules, out List<GuardRule> list)
    {
        ArgumentNullException.ThrowIfNull(rules);
        list = rules as List<GuardRule> ?? [.. rules];
        return list;
    }

    /// <summary>A model with default verdicts given explicitly; the port-rule flags follow the rules (as the controller sets them).</summary>
    public static GuardPolicyModel Create(IEnumerable<GuardRule> rules, GuardVerdict malformed = GuardVerdict.Drop,
        GuardVerdict defaultVerdict = GuardVerdict.Pass, GuardMarks suspicious = GuardMarks.None, bool metadata = true)
    {
        var list = rules.ToList();
        var config = GuardConfigValue.Default;
        config.MalformedVerdict = malformed;
        config.DefaultVerdict = defaultVerdict;
        config.SuspiciousMarks = suspicious;
        config.Flags = PortRuleFlags(list) | (metadata ? GuardConfigFlags.Metadata : GuardConfigFlags.None);
        return new GuardPolicyModel(list, config);
    }

    /// <summary>The GUARD_F_PORT_RULES_V4/V6 flags the controller sets for a rule set: a family with any scoped rule.</summary>
    public static GuardConfigFlags PortRuleFlags(IEnumerable<GuardRule> rules)
    {
        var flags = GuardConfigFlags.None;
        foreach (var rule in rules)
        {
            if (rule.Scope == GuardScope.Any) continue;
            flags |= rule.Source.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? GuardConfigFlags.PortRulesV6 : GuardConfigFlags.PortRulesV4;
        }
        return flags;
    }

    /// <summary>The configuration the model applies.</summary>
    public GuardConfigValue Config { get; }

    /// <summary>The rules the model was built from, in the given order.</summary>
    public IReadOnlyList<GuardRule> Rules { get; }

    /// <summary>The verdict for one Ethernet frame (what BPF_PROG_TEST_RUN of guard_xdp returns with every limit off).</summary>
    public GuardDecision Evaluate(ReadOnlySpan<byte> frame)
    {
        var packet = GuardPacketParser.Parse(frame);
        switch (packet.Kind)
        {
            case GuardPacketKind.NotIp:
                return new GuardDecision(GuardDecision.Pass, GuardReason.NotIp, null, GuardMarks.None) { Packet = packet };
            case GuardPacketKind.Malformed:
                bool pass = Config.MalformedVerdict == GuardVerdict.Pass;
                var marks = pass && (Config.SuspiciousMarks & GuardMarks.Malformed) != 0 ? GuardMarks.Malformed : GuardMarks.None;
                return new GuardDecision(pass ? GuardDecision.Pass : GuardDecision.Drop, GuardReason.Malformed, null, marks) { Packet = packet };
            default:
                return Decide(packet.Source!, packet.Protocol, packet.HasPorts && !packet.NonFirstFragment, packet.DestinationPort,
                    packet.Fragment) with { Packet = packet };
        }
    }

    /// <summary>
    /// The verdict for a packet from <paramref name="source"/> (an IPv4-mapped IPv6 address counts as IPv4, as it
    /// arrives on the wire) with this protocol and destination port; a non-first fragment matches no port rule.
    /// For the lock-out check: would the SSH client's packets be dropped?
    /// </summary>
    public GuardDecision Evaluate(IPAddress source, byte protocol, ushort destinationPort, bool nonFirstFragment)
    {
        ArgumentNullException.ThrowIfNull(source);
        bool hasPorts = protocol is GuardPacketParser.Tcp or GuardPacketParser.Udp && !nonFirstFragment;
        return Decide(source, protocol, hasPorts, destinationPort, nonFirstFragment);
    }

    /// <summary>The rule that wins for this source, protocol and port (null: none), following policy step 3.</summary>
    public GuardRule? FindWinner(IPAddress source, byte protocol, bool hasPorts, ushort destinationPort) =>
        Find(GuardAddress.Identity(source ?? throw new ArgumentNullException(nameof(source))), protocol, hasPorts, destinationPort)?.Rule;

    private GuardDecision Decide(IPAddress source, byte protocol, bool hasPorts, ushort destinationPort, bool fragment)
    {
        // One identity per host: an IPv4-mapped IPv6 source meets the IPv4 rules (README, policy step 1).
        source = GuardAddress.Identity(source);
        var marks = fragment ? GuardMarks.Fragment : GuardMarks.None;
        var winner = Find(source, protocol, hasPorts, destinationPort);
        if (winner is { } entry && (entry.Actions & GuardRuleActions.Allow) != 0)
        {
            marks |= GuardMarks.Allowed;
            return new GuardDecision(GuardDecision.Pass, Suspicious(marks) ? GuardReason.Suspicious : GuardReason.Allowed, entry.Rule, marks);
        }
        if (winner is { } denied)
            return new GuardDecision(GuardDecision.Drop, GuardReason.Denied, denied.Rule, marks);
        marks |= GuardMarks.Unmatched;
        if (Config.DefaultVerdict == GuardVerdict.Drop)
            return new GuardDecision(GuardDecision.Drop, GuardReason.DefaultDrop, null, marks);
        return new GuardDecision(GuardDecision.Pass, Suspicious(marks) ? GuardReason.Suspicious : GuardReason.Passed, null, marks);
    }

    private bool Suspicious(GuardMarks marks) => (marks & Config.SuspiciousMarks) != 0;

    private Entry? Find(IPAddress source, byte protocol, bool hasPorts, ushort destinationPort)
    {
        bool v6 = source.AddressFamily == AddressFamily.InterNetworkV6;
        var address = RuleKey.ToNumber(source);
        bool scoped = (Config.Flags & (v6 ? GuardConfigFlags.PortRulesV6 : GuardConfigFlags.PortRulesV4)) != 0;
        // Longest prefix first; at one length the more specific scope first.
        foreach (int length in v6 ? _lengthsV6 : _lengthsV4)
        {
            var masked = RuleKey.Mask(address, length, v6);
            if (scoped && hasPorts && _rules.TryGetValue(new RuleKey(v6, length, masked, GuardScope.Port, protocol, destinationPort), out var port))
                return port;
            if (scoped && _rules.TryGetValue(new RuleKey(v6, length, masked, GuardScope.Protocol, protocol, 0), out var proto))
                return proto;
            if (_rules.TryGetValue(new RuleKey(v6, length, masked, GuardScope.Any, 0, 0), out var any))
                return any;
        }
        return null;
    }

    private readonly record struct Entry(GuardRuleActions Actions, GuardRule Rule);

    private readonly record struct RuleKey(bool V6, int PrefixLength, UInt128 Address, GuardScope Scope, byte Protocol, ushort Port)
    {
        public static RuleKey Of(GuardRule rule)
        {
            var network = rule.Source;
            bool v6 = network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
            var scope = rule.Scope;
            return new RuleKey(v6, network.PrefixLength, Mask(ToNumber(network.BaseAddress), network.PrefixLength, v6), scope,
                scope == GuardScope.Any ? (byte)0 : rule.Protocol, scope == GuardScope.Port ? rule.Port : (ushort)0);
        }

        public static UInt128 ToNumber(IPAddress address)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out int written);
            UInt128 value = 0;
            for (int i = 0; i < written; i++) value = (value << 8) | bytes[i];
            return value;
        }

        public static UInt128 Mask(UInt128 address, int length, bool v6)
        {
            int bits = v6 ? 128 : 32;
            if (length >= bits) return address;
            if (length == 0) return 0;
            var keep = ~UInt128.Zero << (bits - length);
            if (!v6) keep &= uint.MaxValue;
            return address & keep;
        }
    }
}
