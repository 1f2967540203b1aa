using System.Net;
using Sluice.Programs.Guard;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Controller;

/// <summary>Prometheus text, SSH session parsing and event decoding (pure).</summary>
public sealed class GuardMetricsTests
{
    [Fact]
    public void Metrics_are_prometheus_text_with_help_type_and_labels()
    {
        var counters = GuardReasons.All.ToDictionary(r => r, r => new GuardCounter(0, 0));
        counters[GuardReason.Denied] = new GuardCounter(12, 1200);
        counters[GuardReason.Passed] = new GuardCounter(3, 180);
        var stats = new GuardStatistics(counters, DateTimeOffset.UnixEpoch);
        string text = GuardMetrics.Format(new GuardTarget("eth0"), stats, new GuardRuleCounts(1, 0, 2, 0, 3, 0), blockedSources: 4);
        var lines = text.Split('\n');
        Assert.Equal("# HELP sluice_guard_packets_total Packets judged by the guard, by the reason of their verdict.", lines[0]);
        Assert.Equal("# TYPE sluice_guard_packets_total counter", lines[1]);
        Assert.Contains("sluice_guard_packets_total{iface=\"eth0\",netns=\"default\",reason=\"denied\"} 12", lines);
        Assert.Contains("sluice_guard_bytes_total{iface=\"eth0\",netns=\"default\",reason=\"denied\"} 1200", lines);
        Assert.Contains("sluice_guard_packets_total{iface=\"eth0\",netns=\"default\",reason=\"passed\"} 3", lines);
        Assert.Contains("# TYPE sluice_guard_rules gauge", lines);
        Assert.Contains("sluice_guard_rules{iface=\"eth0\",netns=\"default\",kind=\"port4\"} 3", lines);
        Assert.Contains("sluice_guard_blocked_sources{iface=\"eth0\",netns=\"default\"} 4", lines);
        Assert.Equal(GuardReasons.All.Count, lines.Count(l => l.StartsWith("sluice_guard_packets_total{", StringComparison.Ordinal)));
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        // Every sample line is NAME{labels} VALUE; every family has one HELP and one TYPE.
        foreach (var line in lines.Where(l => l.Length > 0 && l[0] != '#'))
            Assert.Matches("^[a-z_]+\\{([a-z]+=\"[^\"]*\",?)+\\} [0-9]+$", line);
        Assert.Equal(4, lines.Count(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)));
        Assert.Equal(4, lines.Count(l => l.StartsWith("# HELP ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Metrics_of_several_guards_share_one_family_header_and_escape_labels()
    {
        var stats = new GuardStatistics(new Dictionary<GuardReason, GuardCounter>(), DateTimeOffset.UnixEpoch);
        string text = GuardMetrics.Format([new GuardMetricsSample(new GuardTarget("a", "x\"y"), stats), new GuardMetricsSample(new GuardTarget("b"), stats)]);
        Assert.Equal(1, text.Split('\n').Count(l => l == "# TYPE sluice_guard_packets_total counter"));
        Assert.Contains("netns=\"x\\\"y\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sluice_guard_rules", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("198.18.0.1 50000 198.18.0.2 22", null, "198.18.0.1", 22)]
    [InlineData(null, "fd00::1 50000 2222", "fd00::1", 2222)]
    [InlineData("::ffff:198.18.0.1 1 198.18.0.2 22", null, "198.18.0.1", 22)]
    [InlineData("garbage", "198.18.0.9 1 22", "198.18.0.9", 22)]
    public void Ssh_session_from_the_environment_variables(string? connection, string? client, string address, int port)
    {
        var session = GuardLockout.Parse(connection, client);
        Assert.NotNull(session);
        Assert.Equal(IPAddress.Parse(address), session.Client);
        Assert.Equal(port, session.ServerPort);
        Assert.Null(GuardLockout.Parse(null, null));
        Assert.Null(GuardLockout.Parse("", "x y"));
    }

    [Fact]
    public void Events_decode_addresses_protocol_and_ports()
    {
        byte[] frame =
        [
            2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x81, 0x00, 0x00, 0x07, 0x08, 0x00,              // Ethernet + one VLAN tag
            0x46, 0, 0, 32, 0, 0, 0, 0, 64, 17, 0, 0, 198, 19, 0, 7, 198, 18, 0, 2, 1, 1, 1, 1, // IPv4 with 4 bytes of options, UDP
            0x0F, 0xA0, 0x2B, 0xCB, 0, 8, 0, 0,                                                  // UDP 4000 -> 11211
        ];
        var record = new byte[24 + 128];
        BitConverter.TryWriteBytes(record.AsSpan(0), 123ul);
        BitConverter.TryWriteBytes(record.AsSpan(8), (uint)GuardReason.Denied);
        BitConverter.TryWriteBytes(record.AsSpan(12), 5u);
        BitConverter.TryWriteBytes(record.AsSpan(16), (ushort)60);
        BitConverter.TryWriteBytes(record.AsSpan(18), (ushort)frame.Length);
        frame.CopyTo(record, 24);
        Assert.True(GuardEventDecoder.TryDecode(record, out var decoded));
        Assert.Equal(GuardReason.Denied, decoded.Reason);
        Assert.Equal((123ul, 5u, 60), (decoded.TimestampNs, decoded.InterfaceIndex, decoded.Length));
        Assert.Equal(IPAddress.Parse("198.19.0.7"), decoded.Source);
        Assert.Equal(IPAddress.Parse("198.18.0.2"), decoded.Destination);
        Assert.Equal((17, 4000, 11211), (decoded.Protocol, decoded.SourcePort, decoded.DestinationPort));
        Assert.Equal(frame.Length, decoded.Data.Length);
        Assert.Equal("denied 198.19.0.7:4000 -> 198.18.0.2:11211 udp 60 bytes", decoded.ToString());
        Assert.False(GuardEventDecoder.TryDecode(record.AsSpan(0, 10), out _));
    }
}
