using Sluice.Bpf;
using Sluice.Programs.Mirror;
using Sluice.Programs.Qos;
using Sluice.Programs.RateLimit;
using Sluice.Programs.TcApps;
using Sluice.Tests;

namespace Sluice.Programs.Tests.TcApps;

/// <summary>
/// Two namespaces joined by a veth pair, with the TC applications' pins under a unique root
/// (/sys/fs/bpf/sluice-test-*/&lt;app&gt;/...); dispose detaches every application and removes everything.
/// </summary>
internal sealed class TcAppBed : IDisposable
{
    private readonly TestPinDirectory _pins;
    private readonly List<TcAppTarget> _targets = [];

    internal TcAppBed()
    {
        Requires.Root();
        _pins = new TestPinDirectory();
        try
        {
            Veth = new VethNamespaces();
        }
        catch
        {
            _pins.Dispose();
            throw;
        }
    }

    internal VethNamespaces Veth { get; } = null!;

    /// <summary>A target of <paramref name="application"/> on the sender's (default) or receiver's interface.</summary>
    internal TcAppTarget Target(string application, bool receiver = false)
    {
        var target = receiver
            ? new TcAppTarget(application, Veth.ReceiverInterface, Veth.ReceiverNamespace) { Root = _pins.Path }
            : new TcAppTarget(application, Veth.SenderInterface, Veth.SenderNamespace) { Root = _pins.Path };
        _targets.Add(target);
        return target;
    }

    /// <summary>The application's program loaded again over the target's pinned maps, for BPF_PROG_TEST_RUN.</summary>
    internal static BpfCollection LoadForTestRun(TcAppTarget target, string objectName) => TcAppAttacher.Load(objectName, target);

    public void Dispose()
    {
        foreach (var target in _targets)
        {
            try
            {
                _ = target.Application switch
                {
                    "qos" => QosController.Detach(target),
                    "ratelimit" => RateLimitController.Detach(target),
                    _ => MirrorController.Detach(target),
                };
            }
            catch (TcAppException)
            {
                // The namespaces go next and take links and qdiscs with them; the pin directory goes after.
            }
        }
        Veth.Dispose();
        _pins.Dispose();
    }
}

/// <summary>Header facts read back from frames, computed here independently of the kernel's and the program's code.</summary>
internal static class Frames
{
    /// <summary>Offset of the IP header after Ethernet and any VLAN tags.</summary>
    internal static int IpOffset(ReadOnlySpan<byte> frame)
    {
        int offset = 12;
        while (frame[offset] == 0x81 && frame[offset + 1] == 0x00 || frame[offset] == 0x88 && frame[offset + 1] == 0xa8) offset += 4;
        return offset + 2;
    }

    internal static byte Dscp(ReadOnlySpan<byte> frame)
    {
        int ip = IpOffset(frame);
        return (frame[ip] >> 4) == 4 ? (byte)(frame[ip + 1] >> 2) : (byte)((((frame[ip] & 0x0f) << 4) | (frame[ip + 1] >> 4)) >> 2);
    }

    internal static byte Ecn(ReadOnlySpan<byte> frame)
    {
        int ip = IpOffset(frame);
        return (frame[ip] >> 4) == 4 ? (byte)(frame[ip + 1] & 3) : (byte)((frame[ip + 1] >> 4) & 3);
    }

    /// <summary>The one's-complement sum of 16-bit words, folded (0xffff for a correct checksummed block).</summary>
    internal static ushort Sum(ReadOnlySpan<byte> bytes, uint start = 0)
    {
        uint sum = start;
        for (int i = 0; i + 1 < bytes.Length; i += 2) sum += (uint)(bytes[i] << 8 | bytes[i + 1]);
        if (bytes.Length % 2 == 1) sum += (uint)(bytes[^1] << 8);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)sum;
    }

    /// <summary>True when the IPv4 header checksum verifies.</summary>
    internal static bool Ipv4HeaderValid(ReadOnlySpan<byte> frame)
    {
        int ip = IpOffset(frame);
        int length = (frame[ip] & 0x0f) * 4;
        return Sum(frame.Slice(ip, length)) == 0xffff;
    }

    /// <summary>True when the TCP or UDP checksum of an IPv4 or IPv6 frame (no extension headers) verifies.</summary>
    internal static bool TransportValid(ReadOnlySpan<byte> frame)
    {
        int ip = IpOffset(frame);
        bool v4 = (frame[ip] >> 4) == 4;
        int header = v4 ? (frame[ip] & 0x0f) * 4 : 40;
        byte protocol = v4 ? frame[ip + 9] : frame[ip + 6];
        int total = v4 ? (frame[ip + 2] << 8 | frame[ip + 3]) : 40 + (frame[ip + 4] << 8 | frame[ip + 5]);
        var segment = frame.Slice(ip + header, total - header);
        uint pseudo = Sum(v4 ? frame.Slice(ip + 12, 8) : frame.Slice(ip + 8, 32));
        pseudo += protocol;
        pseudo += (uint)segment.Length;
        return Sum(segment, pseudo) == 0xffff;
    }
}
