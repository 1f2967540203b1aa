namespace Sluice.Bpf.Net.Netlink;

/// <summary>Netlink framing constants (uapi/linux/netlink.h).</summary>
internal static class NetlinkConstants
{
    internal const int HeaderLength = 16;

    internal const ushort NLMSG_NOOP = 1;
    internal const ushort NLMSG_ERROR = 2;
    internal const ushort NLMSG_DONE = 3;

    internal const ushort NLM_F_REQUEST = 0x1;
    internal const ushort NLM_F_MULTI = 0x2;
    internal const ushort NLM_F_ACK = 0x4;
    internal const ushort NLM_F_ECHO = 0x8;
    internal const ushort NLM_F_DUMP = 0x300;
    internal const ushort NLM_F_REPLACE = 0x100;
    internal const ushort NLM_F_EXCL = 0x200;
    internal const ushort NLM_F_CREATE = 0x400;

    /// <summary>Flags on an NLMSG_ERROR: the original request was not echoed (NETLINK_CAP_ACK).</summary>
    internal const ushort NLM_F_CAPPED = 0x100;
    /// <summary>Flags on an NLMSG_ERROR: extended-ack attributes follow.</summary>
    internal const ushort NLM_F_ACK_TLVS = 0x200;

    internal const ushort NLMSGERR_ATTR_MSG = 1;
    internal const ushort NLA_F_NESTED = 0x8000;
    internal const ushort NLA_TYPE_MASK = 0x3fff;

    internal static int Align(int length) => (length + 3) & ~3;
}
