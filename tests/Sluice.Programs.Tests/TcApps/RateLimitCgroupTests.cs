using Sluice.Lab;
using Sluice.Programs.RateLimit;
using Sluice.Programs.TcApps;
using Xunit;

namespace Sluice.Programs.Tests.TcApps;

/// <summary>
/// A cgroup key on real traffic: a TCP sender whose process is in a test cgroup is shaped to the limit on the sender's
/// egress, while the same transfer from a process outside that cgroup, over the same veth, is not limited.
/// </summary>
public sealed class RateLimitCgroupTests(ITestOutputHelper output)
{
    [Fact]
    public void ACgroupLimitAppliesToItsProcessesOnly()
    {
        using var bed = new TcAppBed();
        var veth = bed.Veth;
        using var cgroup = new LabCgroup();
        using var controller = RateLimitController.Attach(bed.Target("ratelimit"));
        var rate = Rate.Parse("10mbit");
        controller.Set(new RateLimitRule(new RateLimitKey(RateLimitKeyKind.Cgroup, CgroupId: cgroup.Id, CgroupPath: cgroup.Path), rate, null, RateLimitMode.Shape));
        double limit = rate.PerSecond * 8;

        var inside = Iperf3.Run(veth.ReceiverNamespace, veth.SenderNamespace, VethNamespaces.ReceiverAddress, 5201, 3, cgroup);
        var counted = controller.Limits().Single().Counters;
        var outside = Iperf3.Run(veth.ReceiverNamespace, veth.SenderNamespace, VethNamespaces.ReceiverAddress, 5202, 3);
        output.WriteLine($"cgroup limit 10mbit ({controller.Shaper}): inside {inside.WireBitsPerSecond() / 1e6:F2} Mbit/s on the wire " +
            $"({inside.Retransmits} retransmissions), outside {outside.WireBitsPerSecond() / 1e6:F2} Mbit/s ({outside.Retransmits})");

        Assert.InRange(inside.WireBitsPerSecond() / limit, 0.90, 1.03);
        Assert.True(counted.Packets > 0 && counted.Bytes > (ulong)(inside.ReceivedBitsPerSecond * inside.Seconds / 8 / 2),
            $"the limit counted {counted.Packets} packets, {counted.Bytes} bytes of the cgroup's transfer");
        // Outside the cgroup nothing limits the transfer: veth carries several times the limit even on a busy machine.
        Assert.True(outside.WireBitsPerSecond() > 3 * limit, $"a process outside the cgroup got only {outside.WireBitsPerSecond() / 1e6:F2} Mbit/s");
        Assert.Equal(counted.Packets, controller.Limits().Single().Counters.Packets);
    }
}
