using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;
using Sluice.Programs.XdpApps;

namespace Sluice.Programs.Forward;

/// <summary>What the forwarder would do with a frame, as <see cref="ForwardController.Probe"/> found out.</summary>
/// <param name="Action">The XDP verdict.</param>
/// <param name="Reason">The counter the frame would be counted under.</param>
/// <param name="Egress">The port it would leave through (router and L2 redirects; null otherwise, or for a flood).</param>
/// <param name="SourceMac">Router: the rewritten source MAC ("02:00:00:00:0b:02").</param>
/// <param name="DestinationMac">Router: the rewritten destination MAC.</param>
/// <param name="Ttl">Router: the TTL / hop limit after forwarding (the probe is sent with 64).</param>
public sealed record ForwardDecision(XdpAction Action, ForwardStat Reason, string? Egress, string? SourceMac, string? DestinationMac, int? Ttl);

public sealed partial class ForwardController
{
    private const byte ProbeTtl = 64;

    /// <summary>
    /// Runs a UDP frame from <paramref name="source"/> (default: the unspecified address) to <paramref name="destination"/>
    /// arriving on port <paramref name="ingress"/> through the forwarding program with BPF_PROG_TEST_RUN, in the
    /// namespace, against the live maps and FIB: what `ip route get` is to the kernel, this is to the forwarder. The probe
    /// is a separate load that neither steers nor counts, so it changes no state.
    /// </summary>
    /// <exception cref="XdpAppException">The ingress is not a port; mixed address families.</exception>
    public ForwardDecision Probe(string ingress, IPAddress destination, IPAddress? source = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!IsPort(ingress)) throw NotAPort(ingress);
        source ??= destination.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any;
        if (source.AddressFamily != destination.AddressFamily)
            throw new XdpAppException(XdpAppError.InvalidArgument, $"{source} and {destination} are not of one address family");
        using var netns = Place.OpenNamespace();
        int index = Place.ResolveInterface(ingress, netns);
        var spec = EmbeddedObjects.Read(ForwardNames.Object);
        spec.SetGlobal("forward_probe", (byte)1);
        using var collection = BpfCollection.Load(spec, new CollectionOptions { PinPath = Place.NamespaceDirectory });
        var frame = ProbeFrame(source, destination);
        var output = new byte[frame.Length + 64];
        var context = XdpContext.ForPacket(frame.Length);
        context.IngressIfindex = (uint)index;
        var program = collection.Program(ForwardNames.Program);
        // The kernel resolves the context's ifindex in the namespace of the thread that runs the test.
        var result = netns is null ? program.TestRun(frame, ref context, output) : netns.Run(() => program.TestRun(frame, ref context, output));
        var reason = (ForwardStat)collection.ReadGlobal<uint>("probe_stat");
        var outFrame = output.AsSpan(0, result.DataOutLength);
        if (reason == ForwardStat.Route)
        {
            string sourceMac = Mac(outFrame[6..12]);
            return new ForwardDecision(result.XdpAction, reason, PortWithMac(outFrame[6..12], netns), sourceMac, Mac(outFrame[..6]),
                destination.AddressFamily == AddressFamily.InterNetwork ? outFrame[14 + 8] : outFrame[14 + 7]);
        }
        string? egress = null;
        if (reason == ForwardStat.Redirect && _l2.TryGet((uint)index, out var entry))
            egress = Ports().FirstOrDefault(p => p.Index == (int)entry.IfIndex)?.Interface;
        return new ForwardDecision(result.XdpAction, reason, egress, null, null, null);
    }

    private string? PortWithMac(ReadOnlySpan<byte> mac, NetworkNamespace? netns)
    {
        string wanted = Mac(mac);
        foreach (var port in PortNames())
        {
            var address = LinkLayerAddresses.OfInterface(port, netns).GetAddressBytes();
            if (address.Length > 0 && Mac(address) == wanted) return port;
        }
        return null;
    }

    private static string Mac(ReadOnlySpan<byte> bytes) => string.Join(':', bytes.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Ethernet + IPv4/IPv6 (TTL 64) + an 8-byte UDP header with no payload; addresses as given.</summary>
    private static byte[] ProbeFrame(IPAddress source, IPAddress destination)
    {
        bool v4 = destination.AddressFamily == AddressFamily.InterNetwork;
        int ipLength = v4 ? 20 : 40;
        var frame = new byte[14 + ipLength + 8];
        frame[0] = 0x02;                                        // a unicast destination MAC
        frame[6] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), v4 ? (ushort)0x0800 : (ushort)0x86dd);
        var ip = frame.AsSpan(14, ipLength);
        if (v4)
        {
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 8));
            ip[8] = ProbeTtl;
            ip[9] = 17;
            source.TryWriteBytes(ip[12..16], out _);
            destination.TryWriteBytes(ip[16..20], out _);
            uint sum = 0;
            for (int i = 0; i < 20; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(ip[i..]);
            while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)~sum);
        }
        else
        {
            ip[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 8);
            ip[6] = 17;
            ip[7] = ProbeTtl;
            source.TryWriteBytes(ip[8..24], out _);
            destination.TryWriteBytes(ip[24..40], out _);
        }
        var udp = frame.AsSpan(14 + ipLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 9);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], 8);
        return frame;
    }
}
