using System.Diagnostics;
using System.Runtime.InteropServices;
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
/// A raw flood sender: an AF_PACKET socket bound to one interface (created inside that interface's network
/// namespace) that writes prepared Ethernet frames with sendmmsg, <see cref="Batch"/> at a time, bypassing the
/// qdisc: the fastest sender the lab has (~1.2-1.8 Mpps per core across a veth pair), for benchmarks and for tests
/// that need frames exactly as built (VLAN tags, odd headers). Every flood is bounded in packets and in seconds;
/// needs CAP_NET_RAW.
/// </summary>
public sealed unsafe partial class PacketSender : IDisposable
{
    /// <summary>Messages per sendmmsg call.</summary>
    public const int Batch = 256;

    private const int AfPacket = 17, SockRaw = 3, SockCloexec = 0x80000, SolPacket = 263, PacketQdiscBypass = 20;
    private readonly int _fd;
    private readonly byte* _frames;
    private readonly MmsgHeader* _messages;
    private readonly IoVec* _vectors;
    private readonly int _frameCount;

    /// <summary>Opens the socket on <paramref name="interfaceName"/> in namespace <paramref name="namespaceName"/> and copies the frames in.</summary>
    public PacketSender(string namespaceName, string interfaceName, IReadOnlyList<byte[]> frames)
    {
        using var netns = NetworkNamespace.Open(namespaceName);
        int index = netns.GetInterfaceIndex(interfaceName);
        _fd = netns.Run(() => OpenSocket(index));
        _frameCount = frames.Count;
        int stride = frames.Max(f => f.Length);
        _frames = (byte*)NativeMemory.AllocZeroed((nuint)(stride * frames.Count));
        _vectors = (IoVec*)NativeMemory.AllocZeroed((nuint)(sizeof(IoVec) * Batch));
        _messages = (MmsgHeader*)NativeMemory.AllocZeroed((nuint)(sizeof(MmsgHeader) * Batch));
        for (int i = 0; i < frames.Count; i++) frames[i].CopyTo(new Span<byte>(_frames + i * stride, frames[i].Length));
        _stride = stride;
        _lengths = frames.Select(f => f.Length).ToArray();
        for (int i = 0; i < Batch; i++)
        {
            _messages[i].Header.Iov = &_vectors[i];
            _messages[i].Header.IovLength = 1;
        }
    }

    private readonly int _stride;
    private readonly int[] _lengths;

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
            for (int i = 0; i < count; i++)
            {
                _vectors[i].Base = _frames + next * _stride;
                _vectors[i].Length = (nuint)_lengths[next];
                next = next + 1 == _frameCount ? 0 : next + 1;
            }
            int result = SendMmsg(_fd, _messages, (uint)count, 0);
            if (result > 0) sent += result;
            else failures++;
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

    private static int OpenSocket(int interfaceIndex)
    {
        int fd = Socket(AfPacket, SockRaw | SockCloexec, 0);
        if (fd < 0) throw new IOException($"socket(AF_PACKET) failed: errno {Marshal.GetLastPInvokeError()}");
        var address = new SockAddrLinkLayer { Family = AfPacket, InterfaceIndex = interfaceIndex };
        int one = 1;
        if (Bind(fd, &address, (uint)sizeof(SockAddrLinkLayer)) != 0 ||
            SetSockOpt(fd, SolPacket, PacketQdiscBypass, &one, sizeof(int)) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Close(fd);
            throw new IOException($"binding the AF_PACKET socket to ifindex {interfaceIndex} failed: errno {errno}");
        }
        return fd;
    }

    /// <summary>Closes the socket and frees the buffers.</summary>
    public void Dispose()
    {
        if (_fd > 0) Close(_fd);
        NativeMemory.Free(_frames);
        NativeMemory.Free(_vectors);
        NativeMemory.Free(_messages);
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int Bind(int fd, void* address, uint length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(int fd, int level, int option, void* value, uint length);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    private static partial int SendMmsg(int fd, MmsgHeader* messages, uint count, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [StructLayout(LayoutKind.Sequential)]
    private struct SockAddrLinkLayer
    {
        public ushort Family;
        public ushort Protocol;
        public int InterfaceIndex;
        public ushort HardwareType;
        public byte PacketType;
        public byte AddressLength;
        public ulong Address;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MmsgHeader
    {
        public MessageHeader Header;
        public uint Length;
    }
}
