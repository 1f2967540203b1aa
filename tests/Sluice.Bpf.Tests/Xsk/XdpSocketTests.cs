using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sluice.Bpf.Tests.Links;
using Sluice.Tests;
using Xunit;
using static Sluice.Lab.VethNamespaces;

namespace Sluice.Bpf.Tests.Xsk;

/// <summary>
/// KERNEL-LAB "Works" row: AF_XDP socket on veth (copy mode). XDP on the receiver's veth redirects UDP to port 9999
/// into an XSKMAP holding an <see cref="XdpSocket"/> bound to queue 0; the datagrams must arrive on the socket's RX
/// ring with their payload intact.
/// </summary>
public class XdpSocketTests
{
    private const int Port = 9999;
    private const int Datagrams = 50;
    private const string Tag = "sluice-xsk-";

    [Theory]
    [InlineData(XdpMode.Generic)]
    [InlineData(XdpMode.Native)]
    public void Udp_redirected_into_an_xskmap_arrives_on_the_af_xdp_socket(XdpMode mode)
    {
        Requires.Root();
        using var bed = new TestBed();
        using var collection = BpfCollection.Load(Fixture.Path("xsk_redirect"));
        var xsks = new BpfXskMap(collection.Map("xsks"));
        XdpSocket? socket = null;
        IBpfAttachment? attachment = null;
        Socket? sender = null;
        try
        {
            attachment = Xdp.Attach(collection.Program("xsk_redirect_udp"), bed.ReceiverInterface, mode,
                new XdpAttachOptions { Namespace = bed.Receiver });
            socket = XdpSocket.Create(bed.ReceiverInterface, 0,
                new XdpSocketOptions { Namespace = bed.Receiver, FrameCount = 256, RxRingSize = 256 });
            Assert.Equal(XdpBindMode.Copy, socket.Mode);
            Assert.Equal(bed.Receiver.GetInterfaceIndex(bed.ReceiverInterface), socket.InterfaceIndex);
            xsks.Set(0, socket.Handle);

            var destination = new IPEndPoint(IPAddress.Parse(ReceiverAddress), Port);
            sender = bed.Sender.Run(() =>
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                s.Bind(new IPEndPoint(IPAddress.Parse(SenderAddress), 0));
                return s;
            });
            for (int i = 0; i < Datagrams; i++)
            {
                sender.SendTo(Encoding.ASCII.GetBytes($"{Tag}{i:D3}"), destination);
                if (i % 16 == 15) Thread.Sleep(1);
            }

            var seen = new int[Datagrams];
            var strays = new List<string>();
            int total = 0;
            var clock = Stopwatch.StartNew();
            while (total < Datagrams && clock.Elapsed < TimeSpan.FromSeconds(5))
                total += socket.Receive(frame => Record(frame, seen, strays), TimeSpan.FromMilliseconds(200));
            // A short quiet period shows duplicates, too.
            total += socket.Receive(frame => Record(frame, seen, strays), TimeSpan.FromMilliseconds(100));

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"took {clock.Elapsed}");
            Assert.Empty(strays);
            Assert.Equal(Datagrams, total);
            Assert.All(seen, count => Assert.Equal(1, count));
            Assert.Equal((ulong)Datagrams, Stat(collection, 0));
            Assert.Equal(0UL, Stat(collection, 1));
            var stats = socket.GetStatistics();
            Assert.Equal(0UL, stats.RxDropped + stats.RxRingFull + stats.RxFillRingEmpty + stats.RxInvalidDescriptors);
        }
        finally
        {
            sender?.Dispose();
            if (socket is not null)
            {
                try { xsks.Delete(0); } catch (BpfException) { }
                socket.Dispose();
            }
            attachment?.Dispose();
        }
        Assert.False(Xdp.Query(bed.ReceiverInterface, bed.Receiver).IsAttached);
    }

    [Fact]
    public void Bind_to_a_queue_the_veth_lacks_is_einval_and_bad_sizes_are_refused()
    {
        Requires.Root();
        using var bed = new TestBed();
        var failure = Assert.Throws<BpfException>(() => XdpSocket.Create(bed.ReceiverInterface, 7, new XdpSocketOptions { Namespace = bed.Receiver }));
        Assert.Equal(22, failure.Errno);
        Assert.Contains("bind", failure.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => XdpSocket.Create(bed.ReceiverInterface, 0, new XdpSocketOptions { Namespace = bed.Receiver, FrameSize = 3000 }));
        Assert.Throws<ArgumentException>(() => XdpSocket.Create(bed.ReceiverInterface, 0, new XdpSocketOptions { Namespace = bed.Receiver, RxRingSize = 100 }));
        Assert.Throws<BpfAttachException>(() => XdpSocket.Create("sl-missing", 0, new XdpSocketOptions { Namespace = bed.Receiver }));

        // After the failures queue 0 is still free; a disposed socket refuses Receive.
        var socket = XdpSocket.Create(bed.ReceiverInterface, 0, new XdpSocketOptions { Namespace = bed.Receiver, FrameCount = 64, RxRingSize = 64 });
        Assert.Equal(0, socket.Receive(_ => { }, TimeSpan.Zero));
        socket.Dispose();
        socket.Dispose();
        Assert.Throws<ObjectDisposedException>(() => socket.Receive(_ => { }, TimeSpan.Zero));
    }

    /// <summary>Parses Ethernet / IPv4 / UDP and counts the datagram's index; anything else is a stray.</summary>
    private static void Record(ReadOnlySpan<byte> frame, int[] seen, List<string> strays)
    {
        if (frame.Length < 14 + 20 + 8 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0800)
        {
            strays.Add($"non-IPv4 frame of {frame.Length} bytes");
            return;
        }
        var ip = frame[14..];
        int headerLength = (ip[0] & 0xF) * 4;
        var udp = ip[headerLength..];
        int udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        string source = new IPAddress(ip.Slice(12, 4)).ToString();
        if (ip[9] != 17 || BinaryPrimitives.ReadUInt16BigEndian(udp[2..]) != Port || source != SenderAddress)
        {
            strays.Add($"unexpected packet from {source}, protocol {ip[9]}");
            return;
        }
        string payload = Encoding.ASCII.GetString(udp[8..udpLength]);
        if (!payload.StartsWith(Tag, StringComparison.Ordinal) || !int.TryParse(payload.AsSpan(Tag.Length), out int index) ||
            index is < 0 or >= Datagrams || payload.Length != Tag.Length + 3)
        {
            strays.Add($"unexpected payload '{payload}'");
            return;
        }
        seen[index]++;
    }

    private static ulong Stat(BpfCollection collection, uint slot)
    {
        var value = new byte[8];
        collection.Map("xsk_stats").TryLookup(BitConverter.GetBytes(slot), value);
        return BitConverter.ToUInt64(value);
    }
}
