using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>ioctl and the SIOCETHTOOL pieces (linux/sockios.h, linux/ethtool.h) for interface offload settings.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, ulong request, void* argument);

    internal const int AF_INET = 2;
    internal const int SOCK_DGRAM = 2;
    internal const ulong SIOCETHTOOL = 0x8946;
    internal const uint ETHTOOL_GTXCSUM = 0x16;
    internal const uint ETHTOOL_STXCSUM = 0x17;
    internal const uint ETHTOOL_GGRO = 0x2b;
    internal const uint ETHTOOL_SGRO = 0x2c;
}

/// <summary>struct ifreq with ifr_data (40 bytes on 64-bit).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct InterfaceRequest
{
    public fixed byte Name[16];
    public void* Data;
    private readonly ulong _padding1;
    private readonly ulong _padding2;
}

/// <summary>struct ethtool_value.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct EthtoolValue
{
    public uint Command;
    public uint Data;
}
