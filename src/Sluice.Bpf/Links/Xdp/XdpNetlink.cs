using Sluice.Bpf.Net.Netlink;
using static Sluice.Bpf.Net.Netlink.Rtnl;

namespace Sluice.Bpf;

/// <summary>The netlink side of XDP: RTM_SETLINK with IFLA_XDP to attach/replace/detach, RTM_GETLINK to query.</summary>
internal static class XdpNetlink
{
    /// <summary>
    /// Attaches <paramref name="programFd"/> (-1 detaches) with XDP_FLAGS <paramref name="flags"/>; with XDP_FLAGS_REPLACE,
    /// <paramref name="expectedFd"/> is the program that must currently be attached.
    /// </summary>
    internal static void Set(NetlinkSocket socket, int interfaceIndex, int programFd, uint flags, int? expectedFd = null)
    {
        var request = new NetlinkMessageWriter(RTM_SETLINK, 0);
        request.WriteHeader(new IfInfoMessage { Index = interfaceIndex });
        int xdp = request.BeginNested(IFLA_XDP);
        request.AddInt32(IFLA_XDP_FD, programFd);
        if (flags != 0) request.AddUInt32(IFLA_XDP_FLAGS, flags);
        if (expectedFd is { } expected) request.AddInt32(IFLA_XDP_EXPECTED_FD, expected);
        request.EndNested(xdp);
        socket.Request(request, "RTM_SETLINK IFLA_XDP");
    }

    /// <summary>The XDP state of one interface.</summary>
    internal static XdpState Query(NetlinkSocket socket, int interfaceIndex)
    {
        var request = new NetlinkMessageWriter(RTM_GETLINK, 0);
        request.WriteHeader(new IfInfoMessage { Index = interfaceIndex });
        foreach (var reply in socket.Request(request, "RTM_GETLINK"))
            if (reply.Type == RTM_NEWLINK) return Parse(reply);
        throw new BpfAttachException(AttachFailure.InterfaceNotFound, Interop.Libc.ENODEV, $"interface index {interfaceIndex} does not exist");
    }

    /// <summary>The XDP state of every interface in the socket's namespace.</summary>
    internal static List<XdpState> QueryAll(NetlinkSocket socket)
    {
        var request = new NetlinkMessageWriter(RTM_GETLINK, 0);
        request.WriteHeader(new IfInfoMessage());
        return [.. socket.Dump(request, "RTM_GETLINK").Where(m => m.Type == RTM_NEWLINK).Select(Parse)];
    }

    private static XdpState Parse(NetlinkMessage message)
    {
        var header = message.ReadHeader<IfInfoMessage>();
        var attributes = message.Attributes(System.Runtime.CompilerServices.Unsafe.SizeOf<IfInfoMessage>());
        string name = attributes.GetString(IFLA_IFNAME) ?? $"if{header.Index}";
        var xdp = attributes.GetNested(IFLA_XDP);
        if (xdp is null) return new XdpState(header.Index, name, null, null, null);
        uint? native = NonZero(xdp.GetUInt32(IFLA_XDP_DRV_PROG_ID));
        uint? generic = NonZero(xdp.GetUInt32(IFLA_XDP_SKB_PROG_ID));
        uint? offload = NonZero(xdp.GetUInt32(IFLA_XDP_HW_PROG_ID));
        // Kernels before 5.0 report only IFLA_XDP_PROG_ID plus the mode in IFLA_XDP_ATTACHED.
        if (native is null && generic is null && offload is null && NonZero(xdp.GetUInt32(IFLA_XDP_PROG_ID)) is { } single)
        {
            switch (xdp.GetUInt8(IFLA_XDP_ATTACHED))
            {
                case 1: native = single; break;
                case 2: generic = single; break;
                case 3: offload = single; break;
            }
        }
        return new XdpState(header.Index, name, native, generic, offload);
    }

    private static uint? NonZero(uint? value) => value is 0 ? null : value;
}
