using System.Diagnostics;
using Sluice.Bpf;

namespace Sluice.Lab.Traffic;

/// <summary>What one <see cref="PacketSender.Flood"/> did.</summary>
/// <param name="Sent">Frames the kernel accepted.</param>
/// <param name="Failures">sendmmsg calls that failed (e.g. ENOBUFS); their frames never left.</param>
/// <param name="Elapsed">Time from the first call to the last return.</param>
public sealed record FrameFloodResult(long Sent, long Failures, TimeSpan Elapsed)
{
    /// <summary>Frames per second actually sent.</summary>
    public double PacketsPerSecond => Elapsed > TimeSpan.Zero ? Sent / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// A raw flood sender for frames exactly as built (VLAN tags, odd headers): an AF_PACKET socket
/// (<see cref="PacketSocket"/>) bound to one interface, created inside that interface's network namespace, writing
/// the frames with sendmmsg, <see cref="Batch"/> at a time, bypassing the qdisc (~1.2-1.8 Mpps per core across a
/// veth pair). For generated UDP/TCP traffic use the product's <see cref="Sluice.Programs.TrafficGen.TrafficGenerator"/>.
/// Every flood is bounded in packets and in seconds; needs CAP_NET_RAW.
/// </summary>
public sealed class PacketSender : IDisposable
{
    /// <summary>Messages per sendmmsg call.</summary>
    public const int Batch = 256;

    private readonly PacketSocket _socket;
    private readonly int _frameCount;
    private readonly int _stride;
    // Slot k holds frame k mod count, for count + Batch slots: any batch starting at frame i < count is contiguous.
    private readonly byte[] _slots;
    private readonly int[] _lengths;

    /// <summary>Opens the socket on <paramref name="interfaceName"/> in namespace <paramref name="namespaceName"/> and copies the frames in.</summary>
    public PacketSender(string namespaceName, string interfaceName, IReadOnlyList<byte[]> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentOutOfRangeException.ThrowIfZero(frames.Count);
        _frameCount = frames.Count;
        _stride = frames.Max(f => f.Length);
        _slots = new byte[(_frameCount + Batch) * _stride];
        _lengths = new int[_frameCount + Batch];
        for (int k = 0; k < _lengths.Length; k++)
        {
            var frame = frames[k % _frameCount];
            frame.CopyTo(_slots, k * _stride);
            _lengths[k] = frame.Length;
        }
        using var netns = NetworkNamespace.Open(namespaceName);
        _socket = PacketSocket.Open(interfaceName, netns);
    }

    /// <summary>Sends until <paramref name="maxPackets"/> went out or <paramref name="maxTime"/> passed, cycling over the frames.</summary>
    /// <remarks>
    /// The calling thread does the sending, and on veth also the receive-side softirq work: its CPU time measures
    /// the whole path.
    /// </remarks>
    public FrameFloodResult Flood(long maxPackets, TimeSpan maxTime)
    {
        long sent = 0, failures = 0;
        int next = 0;
        var clock = Stopwatch.StartNew();
        while (sent < maxPackets && clock.Elapsed < maxTime)
        {
            int count = (int)Math.Min(Batch, maxPackets - sent);
            int taken = _socket.Send(_slots.AsSpan(next * _stride), _stride, _lengths.AsSpan(next, count));
            if (taken > 0)
            {
                sent += taken;
                next = (int)((next + taken) % _frameCount);
            }
            else
            {
                failures++;
            }
        }
        clock.Stop();
        return new FrameFloodResult(sent, failures, clock.Elapsed);
    }

    /// <summary>
    /// Sends each of <paramref name="frames"/> once, in order, out of <paramref name="interfaceName"/> in namespace
    /// <paramref name="namespaceName"/>, exactly as built (VLAN tags and all).
    /// </summary>
    /// <exception cref="IOException">The kernel did not take every frame within ten seconds.</exception>
    public static void SendOnce(string namespaceName, string interfaceName, IReadOnlyList<byte[]> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0) return;
        using var sender = new PacketSender(namespaceName, interfaceName, frames);
        var result = sender.Flood(frames.Count, TimeSpan.FromSeconds(10));
        if (result.Sent != frames.Count)
            throw new IOException($"sent {result.Sent} of {frames.Count} frames on {interfaceName} ({result.Failures} failed sends)");
    }

    /// <summary>Closes the socket.</summary>
    public void Dispose() => _socket.Dispose();
}
