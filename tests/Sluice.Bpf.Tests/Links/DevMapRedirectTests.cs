using Sluice.Tests;
using Xunit;
using static Sluice.Lab.VethNamespaces;

namespace Sluice.Bpf.Tests.Links;

/// <summary>
/// A kernel feature the programs rely on: DEVMAP bpf_redirect_map between veth pairs. The fixture's sender and receiver namespaces
/// plus a third ("far") namespace joined to the receiver by a second veth pair; the receiver is the router: XDP on
/// its ingress veth redirects every IPv4 UDP frame into DEVMAP slot 0, which holds the second pair's router end.
/// </summary>
public class DevMapRedirectTests
{
    private const string RouterEgress = "sl-r2";
    private const string RouterEgressMac = "02:00:00:00:01:02";
    private const string FarInterface = "sl-far";
    private const string FarAddress = "198.18.1.2";
    private const int Packets = 200;

    [Theory]
    [InlineData(XdpMode.Native)]
    [InlineData(XdpMode.Generic)]
    public void Udp_redirected_through_a_devmap_reaches_the_far_namespace(XdpMode mode)
    {
        Requires.Root();
        using var bed = new TestBed();
        // The far namespace is a lab namespace joined to the bed's receiver (the router), so it is removed with the
        // lab's own cleanup, and an aborted run's is swept like every other lab namespace.
        using var network = new LabNetwork(Prefix);
        var farHost = network.AddNamespace("far");
        // The far end takes the receiver's MAC: the redirected frame keeps its Ethernet header, so the far
        // interface must accept frames addressed to the router.
        network.Connect(new VethEnd(bed.Pair.Receiver, RouterEgress, RouterEgressMac),
            new VethEnd(farHost, FarInterface, ReceiverMac, FarAddress + "/24"));
        farHost.Run("ip", "route", "add", "198.18.0.0/24", "dev", FarInterface);
        bed.Pair.InSender("ip", "route", "add", "198.18.1.0/24", "via", ReceiverAddress, "dev", bed.SenderInterface);
        // Redirected frames lose CHECKSUM_PARTIAL: the sender must fill in its UDP checksums itself.
        bed.Pair.InSender("ethtool", "-K", bed.SenderInterface, "tx", "off");
        using var far = farHost.Open();

        using var collection = BpfCollection.Load(Fixture.Path("devmap_redirect"));
        using var devmap = new BpfDevMap(collection.Map("tx_ports"));
        // DEVMAP ifindexes resolve in the updating thread's namespace: update inside the router.
        uint egress = (uint)bed.Receiver.GetInterfaceIndex(RouterEgress);
        bed.Receiver.Run(() => devmap.Set(0, egress));
        Assert.True(devmap.TryGet(0, out var entry));
        Assert.Equal(egress, entry.IfIndex);

        // A redirect into a veth needs an XDP program on the receiving peer (native), else frames vanish.
        using var farPass = Xdp.Attach(collection.Program("xdp_pass_count"), FarInterface, XdpMode.Native,
            new XdpAttachOptions { Namespace = far });
        using var redirect = Xdp.Attach(collection.Program("xdp_redirect_udp"), bed.ReceiverInterface, mode,
            new XdpAttachOptions { Namespace = bed.Receiver });
        using var traffic = new UdpTraffic(bed.Pair, bed.Sender, far, FarAddress);

        traffic.Send(SenderAddress, Packets);
        var received = traffic.Receive(Packets);

        Assert.Equal(Packets, received.GetValueOrDefault(SenderAddress));
        Assert.Single(received);
        Assert.Equal((ulong)Packets, Stat(collection, 0));
        Assert.Equal(0UL, Stat(collection, 1));
        Assert.Equal((ulong)Packets, Stat(collection, 2));
    }

    private static ulong Stat(BpfCollection collection, uint slot)
    {
        var value = new byte[8];
        collection.Map("redirect_stats").TryLookup(BitConverter.GetBytes(slot), value);
        return BitConverter.ToUInt64(value);
    }
}
