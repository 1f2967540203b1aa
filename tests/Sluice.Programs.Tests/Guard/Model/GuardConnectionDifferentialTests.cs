using System.Globalization;
using System.Net;
using Sluice.Bpf;
using Sluice.Lab.Packets;
using Sluice.Programs.Guard;
using Sluice.Programs.Guard.Model;
using Sluice.Programs.Tests.Guard.Tc;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Model;

/// <summary>
/// guard_tc's connection tracking against <see cref="GuardConnectionModel"/>: random TCP conversations of a few
/// clients (SYNs, data, retransmissions, FIN and RST at the right and at guessed sequence numbers, forgeries from
/// the server's side) with random concurrency and rate limits, and now and then every slot of a client expired
/// (the kernel's rewritten, the model told). Every packet's reason and every client's open-connection count must
/// agree. SLUICE_GUARD_DIFF_SEED reruns a seed.
/// </summary>
public sealed class GuardConnectionDifferentialTests(ITestOutputHelper output)
{
    private const int Scenarios = 40, PacketsPerScenario = 250;
    private static readonly IPAddress[] Clients =
        [IPAddress.Parse("198.18.0.1"), IPAddress.Parse("198.18.0.3"), IPAddress.Parse("fd00::1"), IPAddress.Parse("::ffff:198.18.0.3")];
    private static readonly IPAddress Server4 = IPAddress.Parse("198.18.0.2"), Server6 = IPAddress.Parse("fd00::2");

    [Fact]
    public void Kernel_and_model_agree_on_random_conversations()
    {
        Requires.Root();
        int seed = int.TryParse(Environment.GetEnvironmentVariable("SLUICE_GUARD_DIFF_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int fixedSeed)
            ? fixedSeed : Random.Shared.Next();
        output.WriteLine($"seed {seed} (SLUICE_GUARD_DIFF_SEED={seed} reruns it)");
        var random = new Random(seed);
        var reasons = new Dictionary<GuardReason, int>();
        int closes = 0;
        for (int scenario = 0; scenario < Scenarios; scenario++)
        {
            using var stage = new TcStage();
            uint maxConcurrent = (uint)random.Next(0, 5);
            uint? burst = random.Next(3) == 0 ? (uint)random.Next(1, 12) : null;
            if (maxConcurrent == 0 && burst is null) maxConcurrent = 3;
            stage.Configure(TcStage.Limits(maxConcurrent, burst is null ? null : TimeSpan.FromSeconds(1000), (int)(burst ?? 1)));
            var model = new GuardConnectionModel(maxConcurrent, burst);
            var conversation = new Conversation(random);
            for (int i = 0; i < PacketsPerScenario; i++)
            {
                if (random.Next(60) == 0)
                {
                    var aged = Clients[random.Next(Clients.Length)];
                    stage.AgeConnections(aged, 100_000);
                    model.Expire(aged);
                    continue;
                }
                var (frame, description) = conversation.Next();
                var expected = model.Evaluate(frame);
                var before = stage.Bed.Statistics();
                var action = stage.Run(frame);
                var after = stage.Bed.Statistics();
                var actual = GuardReasons.All.Single(reason => after[(int)reason].Packets != before[(int)reason].Packets);
                string where = $"seed {seed}, scenario {scenario} (conn-max {maxConcurrent}, burst {burst?.ToString(CultureInfo.InvariantCulture) ?? "off"}), packet {i}: {description}";
                Assert.True(expected == actual, $"{where}: model {GuardReasons.Name(expected)}, kernel {GuardReasons.Name(actual)}");
                Assert.Equal(expected == GuardReason.TcPassed ? TcAction.Ok : TcAction.Shot, action);
                foreach (var client in Clients)
                {
                    uint live = stage.Concurrent(client) ?? 0, modelled = model.Concurrent(client) ?? 0;
                    Assert.True(live == modelled, $"{where}: {client} holds {live} slots in the kernel, {modelled} in the model");
                }
                reasons[actual] = reasons.GetValueOrDefault(actual) + 1;
                if (description.Contains("close", StringComparison.Ordinal)) closes++;
            }
        }
        output.WriteLine(string.Join(", ", reasons.Select(pair => $"{GuardReasons.Name(pair.Key)} {pair.Value}")) + $"; {closes} closes");
        Assert.True(reasons.GetValueOrDefault(GuardReason.TcConnectionLimit) > 0 && reasons.GetValueOrDefault(GuardReason.TcConnectionRate) > 0,
            "the conversations never reached a limit");
    }

    /// <summary>Random segments of a few clients' connections to port 80, each client's sequence numbers followed.</summary>
    private sealed class Conversation(Random random)
    {
        private readonly Dictionary<(int Client, ushort Port), uint> _next = [];

        public (byte[] Frame, string Description) Next()
        {
            int client = random.Next(Clients.Length);
            var source = Clients[client];
            // An IPv4-mapped client sends IPv6 (to the IPv6 server) and shares its IPv4 twin's slots.
            var server = source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? Server6 : Server4;
            ushort port = (ushort)(40000 + random.Next(6));
            var key = (client, port);
            bool known = _next.TryGetValue(key, out uint next);
            int kind = random.Next(10);
            byte flags;
            uint sequence;
            int payload = 0;
            string what;
            switch (kind)
            {
                case 0 or 1 or 2:
                    flags = PacketBuilder.TcpSyn;
                    sequence = known && random.Next(3) == 0 ? next - 1 : (uint)random.Next();
                    _next[key] = sequence + 1;
                    what = "SYN";
                    break;
                case 3 or 4 or 5:
                    flags = PacketBuilder.TcpAck;
                    payload = random.Next(3) == 0 ? 0 : random.Next(1, 400);
                    sequence = known && random.Next(6) != 0 ? next - (uint)(random.Next(4) == 0 ? random.Next(0, 300) : 0) : (uint)random.Next();
                    if (known && unchecked((int)(sequence + (uint)payload - next)) > 0) _next[key] = sequence + (uint)payload;
                    what = $"data {payload} bytes";
                    break;
                case 6 or 7:
                    flags = random.Next(2) == 0 ? PacketBuilder.TcpRst : (byte)(PacketBuilder.TcpFin | PacketBuilder.TcpAck);
                    sequence = known && random.Next(3) != 0 ? next : (uint)random.Next();
                    what = "close";
                    break;
                case 8:
                    // A forgery from the server's side with the client's number.
                    flags = PacketBuilder.TcpRst;
                    sequence = known ? next : 1;
                    var reverse = TcStage.Segment(server, source, 80, port, flags, sequence);
                    return (reverse, $"reverse RST {server}:80 -> {source}:{port} seq {sequence}");
                default:
                    flags = PacketBuilder.TcpSyn | PacketBuilder.TcpAck;
                    sequence = (uint)random.Next();
                    what = "SYN-ACK";
                    break;
            }
            var frame = TcStage.Segment(source, server, port, 80, flags, sequence, payload);
            return (frame, $"{what} {source}:{port} -> {server}:80 flags 0x{flags:x2} seq {sequence}");
        }
    }
}
