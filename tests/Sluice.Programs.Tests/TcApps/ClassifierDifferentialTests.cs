using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;
using Sluice.Lab.Packets;
using Sluice.Programs.Qos;
using Sluice.Programs.TcApps;
using Xunit;

namespace Sluice.Programs.Tests.TcApps;

/// <summary>
/// The classifier (tc_classifier.h's tables as ClassifierTables writes them) against the rule semantics written out
/// here: random non-overlapping rules with nested IPv4 and IPv6 prefixes, protocols and port ranges, then random
/// packets near those prefixes by BPF_PROG_TEST_RUN of qos_classify; each packet must get the class of the one rule
/// that matches it, or the default. Rules are then removed and added again to check the tables after changes.
/// </summary>
public sealed class ClassifierDifferentialTests
{
    private const uint DefaultPriority = 7;
    private const uint FirstPriority = 1000;

    [Fact]
    public void EveryPacketGetsTheClassOfTheRuleThatMatchesIt()
    {
        var random = new Random(11);
        using var bed = new TcAppBed();
        var target = bed.Target("qos");
        using var controller = QosController.Attach(target);
        controller.Set(new QosRule(new ClassifierRule(), QosClass.Parse(DefaultPriority.ToString(CultureInfo.InvariantCulture)), null));
        var rules = RandomRules(random, 300);
        Install(controller, rules);
        using var collection = TcAppBed.LoadForTestRun(target, "qos.bpf.o");
        var program = collection.Program("qos_classify");
        Check(program, rules, random, 3000);

        // Remove every other rule, then add a fresh batch: the tables after changes, not only after a first write.
        foreach (var rule in rules.Where((_, i) => i % 2 == 0)) controller.Remove(rule.Match);
        var kept = rules.Where((_, i) => i % 2 == 1).ToList();
        var added = RandomRules(random, 150).Where(r => !kept.Any(k => k.Match.Overlaps(r.Match))).ToList();
        var now = kept.Concat(added).Select((r, i) => r with { Index = i }).ToList();
        Install(controller, now);
        Check(program, now, random, 3000);
    }

    private sealed record TestRule(ClassifierRule Match, int Index);

    private static void Install(QosController controller, List<TestRule> rules) =>
        controller.SetMany(rules.Select(r => new QosRule(r.Match, QosClass.Parse((FirstPriority + r.Index).ToString(CultureInfo.InvariantCulture)), null)).ToList());

    private static void Check(BpfProgram program, List<TestRule> rules, Random random, int packets)
    {
        int hits = 0;
        for (int n = 0; n < packets; n++)
        {
            bool v6 = random.Next(4) == 0;
            var source = NearSomePrefix(random, rules, r => r.Source, v6);
            var destination = NearSomePrefix(random, rules, r => r.Destination, v6);
            byte protocol = (byte)(random.Next(3) switch { 0 => 6, 1 => 17, _ => v6 ? 58 : 1 });
            ushort port = (ushort)random.Next(1, 130);
            var frame = protocol switch
            {
                6 => v6 ? PacketBuilder.Tcp6(source, destination, 4000, port) : PacketBuilder.Tcp4(source, destination, 4000, port),
                17 => v6 ? PacketBuilder.Udp6(source, destination, 4000, port) : PacketBuilder.Udp4(source, destination, 4000, port),
                _ => v6 ? PacketBuilder.Icmp6Echo(source, destination) : PacketBuilder.Icmp4Echo(source, destination),
            };
            var matching = rules.Where(r => Matches(r.Match, protocol, source, destination, protocol is 6 or 17 ? port : null)).ToList();
            Assert.True(matching.Count <= 1, $"rules overlap: {string.Join(", ", matching.Select(m => m.Match))}");
            uint expected = matching.Count == 1 ? FirstPriority + (uint)matching[0].Index : DefaultPriority;
            hits += matching.Count;
            var context = new SkBuffContext();
            program.TestRun(frame, ref context, new byte[frame.Length + 64]);
            Assert.True(expected == context.Priority,
                $"{ClassifierRule.ProtocolName(protocol)} {source} -> {destination} port {port}: priority {context.Priority}, expected {expected} " +
                $"({(matching.Count == 1 ? matching[0].Match.ToString() : "no rule")})");
        }
        // Packets are drawn near the rules' prefixes so that rules, not only the default, are what is compared.
        Assert.True(hits > packets / 10, $"only {hits} of {packets} packets matched a rule");
    }

    /// <summary>The semantics: every part the rule gives matches; a prefix matches addresses of its own family.</summary>
    private static bool Matches(ClassifierRule rule, byte protocol, IPAddress source, IPAddress destination, ushort? port) =>
        (rule.Protocol is null || rule.Protocol == protocol) &&
        (rule.Source is not { } s || (s.BaseAddress.AddressFamily == source.AddressFamily && s.Contains(source))) &&
        (rule.Destination is not { } d || (d.BaseAddress.AddressFamily == destination.AddressFamily && d.Contains(destination))) &&
        (rule.Ports is not { } p || (port is { } q && q >= p.Low && q <= p.High));

    /// <summary>Rules over a few nested prefixes (so longer prefixes sit inside shorter ones of other rules), kept disjoint.</summary>
    private static List<TestRule> RandomRules(Random random, int count)
    {
        var rules = new List<TestRule>();
        for (int attempt = 0; attempt < count * 20 && rules.Count < count; attempt++)
        {
            bool v6 = random.Next(4) == 0;
            string? protocol = random.Next(4) switch { 0 => "tcp", 1 => "udp", 2 => v6 ? "icmpv6" : "icmp", _ => null };
            string? port = protocol is "tcp" or "udp" or null && random.Next(2) == 0 ? RandomPorts(random) : null;
            string? source = random.Next(3) > 0 ? RandomPrefix(random, v6) : null;
            string? destination = random.Next(2) == 0 ? RandomPrefix(random, v6) : null;
            var match = ClassifierRule.Parse(protocol, source, destination, port);
            if (match.MatchesEverything || rules.Any(r => r.Match.Overlaps(match))) continue;
            rules.Add(new TestRule(match, rules.Count));
        }
        return rules;
    }

    private static string RandomPorts(Random random)
    {
        int low = random.Next(1, 120);
        return random.Next(2) == 0 ? low.ToString(CultureInfo.InvariantCulture) : $"{low}-{low + random.Next(1, 10)}";
    }

    private static string RandomPrefix(Random random, bool v6)
    {
        if (v6)
        {
            int length = new[] { 16, 32, 64, 112, 120, 124, 128 }[random.Next(7)];
            var bytes = new byte[16];
            bytes[0] = 0xfd;
            for (int i = 13; i < 16; i++) bytes[i] = (byte)random.Next(4);
            bytes[2] = (byte)random.Next(2);
            return new IPNetwork(Mask(new IPAddress(bytes), length), length).ToString();
        }
        int bits = new[] { 8, 15, 16, 20, 23, 24, 26, 30, 32 }[random.Next(9)];
        var address = new IPAddress([198, (byte)(18 + random.Next(2)), (byte)random.Next(3), (byte)(random.Next(4) * 64 + random.Next(4))]);
        return new IPNetwork(Mask(address, bits), bits).ToString();
    }

    /// <summary>An address inside the prefix of a random rule of that family (or a random one when there is none).</summary>
    private static IPAddress NearSomePrefix(Random random, List<TestRule> rules, Func<ClassifierRule, IPNetwork?> select, bool v6)
    {
        var family = v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var prefixes = rules.Select(r => select(r.Match)).OfType<IPNetwork>().Where(p => p.BaseAddress.AddressFamily == family).ToList();
        var bytes = v6 ? new byte[16] : new byte[4];
        random.NextBytes(bytes);
        if (prefixes.Count == 0 || random.Next(8) == 0)
        {
            if (v6) bytes[0] = 0xfd;
            else (bytes[0], bytes[1]) = (198, (byte)(18 + random.Next(2)));
            return new IPAddress(bytes);
        }
        var prefix = prefixes[random.Next(prefixes.Count)];
        var baseBytes = prefix.BaseAddress.GetAddressBytes();
        for (int bit = 0; bit < prefix.PrefixLength; bit++)
        {
            int i = bit / 8, mask = 0x80 >> (bit % 8);
            bytes[i] = (byte)((bytes[i] & ~mask) | (baseBytes[i] & mask));
        }
        return new IPAddress(bytes);
    }

    private static IPAddress Mask(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (int bit = length; bit < bytes.Length * 8; bit++) bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return new IPAddress(bytes);
    }
}
