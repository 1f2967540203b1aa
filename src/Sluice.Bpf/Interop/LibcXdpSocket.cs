using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>The libc calls and kernel structures of AF_XDP sockets (linux/if_xdp.h, Linux 4.18).</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(Library, EntryPoint = "getsockopt", SetLastError = true)]
    internal static partial int GetSockOpt(int fd, int level, int option, void* value, uint* valueLength);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    internal static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    internal const int AF_XDP = 44;
    internal const int SOL_XDP = 283;
    internal const int XDP_MMAP_OFFSETS = 1;
    internal const int XDP_RX_RING = 2;
    internal const int XDP_TX_RING = 3;
    internal const int XDP_UMEM_REG = 4;
    internal const int XDP_UMEM_FILL_RING = 5;
    internal const int XDP_UMEM_COMPLETION_RING = 6;
    internal const int XDP_STATISTICS = 7;
    internal const long XDP_PGOFF_RX_RING = 0;
    internal const long XDP_UMEM_PGOFF_FILL_RING = 0x100000000;
    internal const ushort XDP_COPY = 1 << 1;
    internal const ushort XDP_ZEROCOPY = 1 << 2;
    internal const short POLLIN = 1;
    internal const int MAP_PRIVATE = 2;
    internal const int MAP_ANONYMOUS = 0x20;
    internal const int MAP_POPULATE = 0x8000;
}

/// <summary>struct xdp_umem_reg (with flags and tx_metadata_len; 32 bytes either way).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct XdpUmemReg
{
    public ulong Address;
    public ulong Length;
    public uint ChunkSize;
    public uint Headroom;
    public uint Flags;
    public uint TxMetadataLength;
}

/// <summary>struct xdp_ring_offset.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct XdpRingOffset
{
    public ulong Producer;
    public ulong Consumer;
    public ulong Descriptors;
    public ulong Flags;
}

/// <summary>struct xdp_mmap_offsets.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct XdpMmapOffsets
{
    public XdpRingOffset Rx;
    public XdpRingOffset Tx;
    public XdpRingOffset Fill;
    public XdpRingOffset Completion;
}

/// <summary>struct sockaddr_xdp.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SockAddrXdp
{
    public ushort Family;
    public ushort Flags;
    public uint IfIndex;
    public uint QueueId;
    public uint SharedUmemFd;
}

/// <summary>struct xdp_desc: one RX/TX descriptor.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct XdpDesc
{
    public ulong Address;
    public uint Length;
    public uint Options;
}

/// <summary>struct xdp_statistics.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct XdpStatisticsRaw
{
    public ulong RxDropped;
    public ulong RxInvalidDescriptors;
    public ulong TxInvalidDescriptors;
    public ulong RxRingFull;
    public ulong RxFillRingEmpty;
    public ulong TxRingEmpty;
}

/// <summary>struct pollfd.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short ReturnedEvents;
}
