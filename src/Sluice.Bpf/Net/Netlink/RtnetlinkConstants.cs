using System.Runtime.InteropServices;

namespace Sluice.Bpf.Net.Netlink;

/// <summary>rtnetlink message types and attributes (uapi/linux/rtnetlink.h, if_link.h, pkt_sched.h, pkt_cls.h).</summary>
internal static class Rtnl
{
    internal const ushort RTM_NEWLINK = 16;
    internal const ushort RTM_GETLINK = 18;
    internal const ushort RTM_SETLINK = 19;
    internal const ushort RTM_NEWQDISC = 36;
    internal const ushort RTM_DELQDISC = 37;
    internal const ushort RTM_GETQDISC = 38;
    internal const ushort RTM_NEWTCLASS = 40;
    internal const ushort RTM_DELTCLASS = 41;
    internal const ushort RTM_NEWTFILTER = 44;
    internal const ushort RTM_DELTFILTER = 45;
    internal const ushort RTM_GETTFILTER = 46;

    internal const ushort IFLA_ADDRESS = 1;
    internal const ushort IFLA_IFNAME = 3;
    internal const ushort IFLA_LINK = 5;
    internal const ushort IFLA_LINKINFO = 18;
    internal const ushort IFLA_INFO_KIND = 1;
    internal const ushort IFLA_LINK_NETNSID = 37;

    internal const ushort RTM_NEWNSID = 88;
    internal const ushort RTM_GETNSID = 90;
    internal const ushort NETNSA_NSID = 1;
    internal const ushort NETNSA_FD = 3;
    internal const ushort RTM_NEWNEIGH = 28;
    internal const ushort RTM_GETNEIGH = 30;
    internal const ushort NDA_DST = 1;
    internal const ushort NDA_LLADDR = 2;
    internal const ushort NUD_INCOMPLETE = 0x01;
    internal const ushort NUD_FAILED = 0x20;
    internal const ushort IFLA_XDP = 43;

    internal const ushort IFLA_XDP_FD = 1;
    internal const ushort IFLA_XDP_ATTACHED = 2;
    internal const ushort IFLA_XDP_FLAGS = 3;
    internal const ushort IFLA_XDP_PROG_ID = 4;
    internal const ushort IFLA_XDP_DRV_PROG_ID = 5;
    internal const ushort IFLA_XDP_SKB_PROG_ID = 6;
    internal const ushort IFLA_XDP_HW_PROG_ID = 7;
    internal const ushort IFLA_XDP_EXPECTED_FD = 8;

    internal const uint XDP_FLAGS_UPDATE_IF_NOEXIST = 1;
    internal const uint XDP_FLAGS_SKB_MODE = 2;
    internal const uint XDP_FLAGS_DRV_MODE = 4;
    internal const uint XDP_FLAGS_HW_MODE = 8;
    internal const uint XDP_FLAGS_REPLACE = 16;

    internal const ushort TCA_KIND = 1;
    internal const ushort TCA_OPTIONS = 2;

    internal const ushort TCA_HTB_PARMS = 1;
    internal const ushort TCA_HTB_INIT = 2;
    internal const ushort TCA_HTB_RATE64 = 6;
    internal const ushort TCA_HTB_CEIL64 = 7;

    /// <summary>TC_H_ROOT: the parent of a device's root qdisc.</summary>
    internal const uint RootParent = 0xFFFF_FFFF;

    internal const ushort TCA_BPF_FD = 6;
    internal const ushort TCA_BPF_NAME = 7;
    internal const ushort TCA_BPF_FLAGS = 8;
    internal const ushort TCA_BPF_FLAGS_GEN = 9;
    internal const ushort TCA_BPF_TAG = 10;
    internal const ushort TCA_BPF_ID = 11;
    internal const uint TCA_BPF_FLAG_ACT_DIRECT = 1;

    /// <summary>The clsact qdisc's handle (ffff:0) and parent (TC_H_CLSACT).</summary>
    internal const uint ClsactHandle = 0xFFFF_0000;
    internal const uint ClsactParent = 0xFFFF_FFF1;
    /// <summary>Filter parents on clsact: TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS / TC_H_MIN_EGRESS).</summary>
    internal const uint ClsactIngress = 0xFFFF_FFF2;
    internal const uint ClsactEgress = 0xFFFF_FFF3;
    /// <summary>ETH_P_ALL in network byte order, as tcm_info's low 16 bits want it.</summary>
    internal const ushort EthPAllNetworkOrder = 0x0300;
}

/// <summary>struct ifinfomsg.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IfInfoMessage
{
    public byte Family;
    private readonly byte _padding;
    public ushort DeviceType;
    public int Index;
    public uint Flags;
    public uint Change;
}

/// <summary>struct rtgenmsg, padded to the 4 bytes netlink aligns headers to.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RtGenMessage
{
    public byte Family;
    private readonly byte _padding1;
    private readonly ushort _padding2;
}

/// <summary>struct ndmsg.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NeighbourMessage
{
    public byte Family;
    public byte Pad1;
    public ushort Pad2;
    public int InterfaceIndex;
    public ushort State;
    public byte Flags;
    public byte Type;
}

/// <summary>struct tcmsg.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TcMessage
{
    public byte Family;
    private readonly byte _padding1;
    private readonly ushort _padding2;
    public int InterfaceIndex;
    public uint Handle;
    public uint Parent;
    /// <summary>For filters: priority in the upper 16 bits, protocol (network order) in the lower.</summary>
    public uint Info;
}

/// <summary>struct tc_ratespec (pkt_sched.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TcRateSpec
{
    public byte CellLog;
    /// <summary>TC_LINKLAYER_ETHERNET (1): the kernel computes transmission times itself, no rate table needed.</summary>
    public byte LinkLayer;
    public ushort Overhead;
    public short CellAlign;
    public ushort Mpu;
    /// <summary>Bytes per second (capped at uint.MaxValue; TCA_HTB_RATE64 carries larger rates).</summary>
    public uint Rate;
}

/// <summary>struct tc_htb_opt: one htb class.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TcHtbClassOptions
{
    public TcRateSpec Rate;
    public TcRateSpec Ceil;
    /// <summary>Burst at the rate, in psched ticks (64 ns).</summary>
    public uint Buffer;
    public uint CeilBuffer;
    public uint Quantum;
    public uint Level;
    public uint Priority;
}

/// <summary>struct tc_htb_glob: the htb qdisc.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TcHtbGlobal
{
    public uint Version;
    public uint RateToQuantum;
    public uint DefaultClass;
    public uint Debug;
    public uint DirectPackets;
}
