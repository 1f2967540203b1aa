using System.Buffers.Binary;
using Sluice.Tests;
using Xunit;
using static Sluice.Lab.VethNamespaces;

namespace Sluice.Bpf.Tests.Links;

/// <summary>
/// KERNEL-LAB "Works" row: bpf_xdp_adjust_meta in XDP, data_meta read in TC ingress. The rows_meta fixture's XDP
/// program writes a 4-byte value in front of each IPv4 UDP frame; its TC program on the same device's ingress reads
/// it back from data_meta.
/// </summary>
public class RowsXdpMetadataTests
{
    private const uint MetaMagic = 0x5EC0FFEE;
    private const int Packets = 100;

    public static TheoryData<XdpMode, TcAttachMethod> Hooks => new()
    {
        { XdpMode.Native, TcAttachMethod.Tcx },
        { XdpMode.Generic, TcAttachMethod.Tcx },
        { XdpMode.Native, TcAttachMethod.Filter },
        { XdpMode.Generic, TcAttachMethod.Filter },
    };

    [Theory]
    [MemberData(nameof(Hooks))]
    public void Tc_ingress_reads_the_metadata_xdp_wrote_for_every_packet(XdpMode mode, TcAttachMethod method)
    {
        Requires.Root();
        using var bed = new TestBed();
        using var collection = BpfCollection.Load(Fixture.Path("rows_meta"));
        using var traffic = bed.Traffic();
        using var tc = Tc.Attach(collection.Program("tc_read_meta"), bed.ReceiverInterface, TcDirection.Ingress,
            new TcAttachOptions { Namespace = bed.Receiver, Method = method });
        using var xdp = Xdp.Attach(collection.Program("xdp_write_meta"), bed.ReceiverInterface, mode,
            new XdpAttachOptions { Namespace = bed.Receiver });

        traffic.Send(SenderAddress, Packets);
        var received = traffic.Receive(Packets);

        Assert.Equal(Packets, received.GetValueOrDefault(SenderAddress));
        Assert.Equal((ulong)Packets, Stat(collection, 0)); // XDP wrote metadata
        Assert.Equal(0UL, Stat(collection, 1));            // XDP could not
        Assert.Equal((ulong)Packets, Stat(collection, 2)); // TC read the XDP-written value
        Assert.Equal(0UL, Stat(collection, 3));            // TC found no metadata
        Assert.Equal(0UL, Stat(collection, 4));            // TC found another value
    }

    [Fact]
    public void Test_run_returns_the_metadata_in_front_of_the_packet()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("rows_meta"));
        byte[] frame = UdpFrame();
        var context = XdpContext.ForPacket(frame.Length);
        var output = new byte[frame.Length + 64];

        var result = collection.Program("xdp_write_meta").TestRun(frame, ref context, output);

        Assert.Equal(XdpAction.Pass, result.XdpAction);
        Assert.Equal(4u, context.Data);                     // data - data_meta: 4 bytes of metadata
        Assert.Equal((uint)(4 + frame.Length), context.DataEnd);
        Assert.Equal(4 + frame.Length, result.DataOutLength);
        Assert.Equal(MetaMagic, BitConverter.ToUInt32(output, 0)); // written by the program in host order
        Assert.Equal(frame, output.AsSpan(4, frame.Length).ToArray());
        Assert.Equal(1UL, Stat(collection, 0));
    }

    /// <summary>Ethernet + IPv4 + UDP from the sender to the receiver, 16 bytes of payload (checksums unused).</summary>
    private static byte[] UdpFrame()
    {
        var frame = new byte[14 + 20 + 8 + 16];
        frame[0] = 2; frame[5] = 2;   // destination 02:00:00:00:00:02
        frame[6] = 2; frame[11] = 1;  // source 02:00:00:00:00:01
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        frame[14] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), 20 + 8 + 16);
        frame[22] = 64;
        frame[23] = 17;               // UDP
        byte[] source = [198, 18, 0, 1], destination = [198, 18, 0, 2];
        source.CopyTo(frame, 26);
        destination.CopyTo(frame, 30);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(34), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(36), 9999);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(38), 8 + 16);
        return frame;
    }

    private static ulong Stat(BpfCollection collection, uint slot)
    {
        var value = new byte[8];
        collection.Map("meta_stats").TryLookup(BitConverter.GetBytes(slot), value);
        return BitConverter.ToUInt64(value);
    }
}
