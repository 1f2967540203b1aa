using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>
/// An AF_PACKET raw socket bound to one interface that transmits whole Ethernet frames with sendmmsg, bypassing the
/// qdisc (PACKET_QDISC_BYPASS, Linux 3.14). The socket belongs to the network namespace it was opened in and can then be
/// used from any thread. Needs CAP_NET_RAW.
/// </summary>
public sealed unsafe class PacketSocket : IDisposable
{
    /// <summary>Most frames one <see cref="Send"/> hands to the kernel (UIO_MAXIOV).</summary>
    public const int MaxBatch = 1024;

    private readonly SafeFileHandle _handle;
    private readonly MmsgHeader* _messages;
    private readonly IoVector* _vectors;

    private PacketSocket(SafeFileHandle handle)
    {
        _handle = handle;
        _messages = (MmsgHeader*)NativeMemory.AllocZeroed((nuint)(sizeof(MmsgHeader) * MaxBatch));
        _vectors = (IoVector*)NativeMemory.AllocZeroed((nuint)(sizeof(IoVector) * MaxBatch));
        for (int i = 0; i < MaxBatch; i++)
        {
            _messages[i].Vectors = &_vectors[i];
            _messages[i].VectorCount = 1;
        }
    }

    /// <summary>Opens a socket on interface <paramref name="interfaceName"/> in <paramref name="netns"/> (null: here).</summary>
    /// <exception cref="BpfAttachException">No such interface (<see cref="AttachFailure.InterfaceNotFound"/>).</exception>
    /// <exception cref="IOException">The socket could not be opened or bound (e.g. no CAP_NET_RAW).</exception>
    public static PacketSocket Open(string interfaceName, NetworkNamespace? netns = null)
    {
        PacketSocket OpenHere() => Open(InterfaceResolver.Resolve(interfaceName, netns));
        return netns is null ? OpenHere() : netns.Run(OpenHere);
    }

    private static PacketSocket Open(int interfaceIndex)
    {
        int fd = Libc.Socket(Libc.AF_PACKET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) throw Failure("socket(AF_PACKET)", Marshal.GetLastPInvokeError());
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        // Protocol 0: transmit only, so the socket never queues copies of received frames.
        var address = new SockAddrLinkLayer { Family = Libc.AF_PACKET, InterfaceIndex = interfaceIndex };
        int one = 1;
        if (Libc.Bind(fd, &address, (uint)sizeof(SockAddrLinkLayer)) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw Failure($"bind(AF_PACKET, ifindex {interfaceIndex})", errno);
        }
        // Best effort: without the bypass frames still go out, through the qdisc.
        _ = Libc.SetSockOpt(fd, Libc.SOL_PACKET, Libc.PACKET_QDISC_BYPASS, &one, sizeof(int));
        return new PacketSocket(handle);
    }

    /// <summary>
    /// Transmits <paramref name="lengths"/>.Length frames (at most <see cref="MaxBatch"/>) laid out in
    /// <paramref name="frames"/> every <paramref name="stride"/> bytes, in one sendmmsg call.
    /// </summary>
    /// <returns>Frames the kernel took (the first that many); 0 when the device queue is full (ENOBUFS/EAGAIN).</returns>
    /// <exception cref="IOException">Any other send failure.</exception>
    public int Send(ReadOnlySpan<byte> frames, int stride, ReadOnlySpan<int> lengths)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lengths.Length, MaxBatch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        if (lengths.Length == 0) return 0;
        ArgumentOutOfRangeException.ThrowIfLessThan(frames.Length, stride * (lengths.Length - 1) + lengths[^1]);
        fixed (byte* start = frames)
        {
            for (int i = 0; i < lengths.Length; i++)
            {
                ArgumentOutOfRangeException.ThrowIfGreaterThan(lengths[i], stride);
                _vectors[i].Base = start + i * stride;
                _vectors[i].Length = (nuint)lengths[i];
            }
            while (true)
            {
                int sent = Libc.SendMmsg((int)_handle.DangerousGetHandle(), _messages, (uint)lengths.Length, 0);
                if (sent >= 0) return sent;
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR) continue;
                if (errno is Libc.ENOBUFS or Libc.EAGAIN) return 0;
                throw Failure("sendmmsg(AF_PACKET)", errno);
            }
        }
    }

    private static IOException Failure(string call, int errno) =>
        new($"{call} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})" +
            (errno == Libc.EPERM ? "; raw packet sockets need CAP_NET_RAW" : ""));

    /// <summary>Closes the socket and frees its buffers.</summary>
    public void Dispose()
    {
        if (_handle.IsClosed) return;
        _handle.Dispose();
        NativeMemory.Free(_messages);
        NativeMemory.Free(_vectors);
    }
}
