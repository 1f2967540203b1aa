using System.Diagnostics;
using System.Runtime.InteropServices;
using Sluice.Bpf;

namespace Sluice.Benchmarks.Guard;

/// <summary>
/// A raw flood sender: an AF_PACKET socket bound to one interface (created inside that interface's network
/// namespace) that writes prepared Ethernet frames with sendmmsg, <see cref="Batch"/> at a time, bypassing the
/// qdisc. Every flood is bounded in packets and in seconds.
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
    /// <returns>
    /// Packets the kernel accepted, send calls that failed, the time from the first call to the last return, and
    /// the sending thread's CPU time (which includes the receive-side softirq work the kernel runs in its context).
    /// </returns>
    public (long Sent, long Failures, TimeSpan Elapsed, double CpuSeconds) Flood(long maxPackets, TimeSpan maxTime)
    {
        long sent = 0, failures = 0;
        int next = 0;
        double cpuStart = Harness.ThreadCpuClock.Seconds();
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
        return (sent, failures, clock.Elapsed, Harness.ThreadCpuClock.Seconds() - cpuStart);
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
