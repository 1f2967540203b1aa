using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Programs.Packets;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Xdp;

/// <summary>The guard's XDP program loads (the verifier accepts it) and the test bed sees every packet counted once.</summary>
public sealed class GuardXdpSmokeTests
{
    [Fact]
    public void Loads_and_passes_an_unmatched_udp_packet()
    {
        Requires.Root();
        using var bed = new GuardTestBed();
        var run = bed.Run(PacketBuilder.Udp4(IPAddress.Parse("198.18.0.1"), IPAddress.Parse("198.18.0.2"), 1000, 53));
        Assert.Equal(XdpAction.Pass, run.XdpAction);
        Assert.Equal(GuardReason.Passed, run.Reason);
    }
}
