using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>The socket calls netlink needs (socket, bind, send, recv, setsockopt).</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Library, EntryPoint = "bind", SetLastError = true)]
    internal static partial int Bind(int fd, void* address, uint addressLength);

    [LibraryImport(Library, EntryPoint = "getsockname", SetLastError = true)]
    internal static partial int GetSockName(int fd, void* address, uint* addressLength);

    [LibraryImport(Library, EntryPoint = "sendto", SetLastError = true)]
    internal static partial nint SendTo(int fd, void* buffer, nuint length, int flags, void* address, uint addressLength);

    [LibraryImport(Library, EntryPoint = "recv", SetLastError = true)]
    internal static partial nint Recv(int fd, void* buffer, nuint length, int flags);

    [LibraryImport(Library, EntryPoint = "setsockopt", SetLastError = true)]
    internal static partial int SetSockOpt(int fd, int level, int option, void* value, uint valueLength);

    [LibraryImport(Library, EntryPoint = "sendmmsg", SetLastError = true)]
    internal static partial int SendMmsg(int fd, MmsgHeader* messages, uint count, int flags);

    internal const int AF_PACKET = 17;
    internal const int SOL_PACKET = 263;
    internal const int PACKET_QDISC_BYPASS = 20;
    internal const int ENOBUFS = 105;
    internal const int AF_NETLINK = 16;
    internal const int SOCK_RAW = 3;
    internal const int SOCK_CLOEXEC = 0x80000;
    internal const int NETLINK_ROUTE = 0;
    internal const int SOL_SOCKET = 1;
    internal const int SO_RCVTIMEO = 20;
    internal const int SOL_NETLINK = 270;
    internal const int NETLINK_CAP_ACK = 10;
    internal const int NETLINK_EXT_ACK = 11;
    internal const int NETLINK_GET_STRICT_CHK = 12;
    internal const int MSG_PEEK = 2;
    internal const int MSG_TRUNC = 0x20;
    internal const int CLONE_NEWNET = 0x40000000;
    internal const int ENODEV = 19;
    internal const int EBUSY = 16;
    internal const int EOPNOTSUPP = 95;
    internal const int EBADF = 9;
    internal const int ENXIO = 6;
    internal const int ERANGE = 34;
    internal const int ENOLINK = 67;
    internal const int EACCES = 13;
    internal const int O_DIRECTORY = 0x10000;
    internal const int ENOTDIR = 20;
}

/// <summary>struct sockaddr_nl.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SockAddrNetlink
{
    public ushort Family;
    private readonly ushort _padding;
    public uint PortId;
    public uint Groups;
}

/// <summary>struct timeval (64-bit).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TimeVal
{
    public long Seconds;
    public long Microseconds;
}

/// <summary>struct sockaddr_ll.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SockAddrLinkLayer
{
    public ushort Family;
    public ushort Protocol;
    public int InterfaceIndex;
    public ushort HardwareType;
    public byte PacketType;
    public byte AddressLength;
    public ulong Address;
}

/// <summary>struct iovec.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVector
{
    public byte* Base;
    public nuint Length;
}

/// <summary>struct mmsghdr (a msghdr plus the bytes sent).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MmsgHeader
{
    public void* Name;
    public uint NameLength;
    public IoVector* Vectors;
    public nuint VectorCount;
    public void* Control;
    public nuint ControlLength;
    public int Flags;
    /// <summary>struct msghdr ends padded to 8 bytes; msg_len follows it.</summary>
    private readonly int _padding;
    public uint Length;
}
