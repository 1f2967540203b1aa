using System.Runtime.CompilerServices;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Net.Netlink;
using static Sluice.Bpf.Net.Netlink.NetlinkConstants;
using static Sluice.Bpf.Net.Netlink.Rtnl;

namespace Sluice.Bpf;

/// <summary>The legacy TC path over rtnetlink: the clsact qdisc and cls_bpf direct-action filters on it.</summary>
internal static class TcNetlink
{
    /// <summary>Creates the clsact qdisc unless the interface has one. Returns true when it was created.</summary>
    internal static bool EnsureClsact(NetlinkSocket socket, int interfaceIndex)
    {
        var request = new NetlinkMessageWriter(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL);
        request.WriteHeader(new TcMessage { InterfaceIndex = interfaceIndex, Handle = ClsactHandle, Parent = ClsactParent });
        request.AddString(TCA_KIND, "clsact");
        try
        {
            socket.Request(request, "RTM_NEWQDISC clsact");
            return true;
        }
        catch (NetlinkException error) when (error.Errno == Libc.EEXIST)
        {
            return false;
        }
    }

    /// <summary>Removes the clsact qdisc and with it every filter on it.</summary>
    internal static void DeleteClsact(NetlinkSocket socket, int interfaceIndex)
    {
        var request = new NetlinkMessageWriter(RTM_DELQDISC, 0);
        request.WriteHeader(new TcMessage { InterfaceIndex = interfaceIndex, Handle = ClsactHandle, Parent = ClsactParent });
        request.AddString(TCA_KIND, "clsact");
        socket.Request(request, "RTM_DELQDISC clsact");
    }

    /// <summary>Adds (or with <paramref name="replace"/>, replaces) a direct-action cls_bpf filter.</summary>
    internal static void SetFilter(NetlinkSocket socket, int interfaceIndex, TcDirection direction, ushort priority, uint handle,
        int programFd, string name, bool replace)
    {
        var request = new NetlinkMessageWriter(RTM_NEWTFILTER, (ushort)(NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL)));
        request.WriteHeader(Header(interfaceIndex, direction, priority, handle));
        request.AddString(TCA_KIND, "bpf");
        int options = request.BeginNested(TCA_OPTIONS);
        request.AddUInt32(TCA_BPF_FD, (uint)programFd);
        request.AddString(TCA_BPF_NAME, name);
        request.AddUInt32(TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
        request.EndNested(options);
        socket.Request(request, replace ? "RTM_NEWTFILTER (replace)" : "RTM_NEWTFILTER");
    }

    /// <summary>Deletes the filter at <paramref name="priority"/>/<paramref name="handle"/>.</summary>
    internal static void DeleteFilter(NetlinkSocket socket, int interfaceIndex, TcDirection direction, ushort priority, uint handle)
    {
        var request = new NetlinkMessageWriter(RTM_DELTFILTER, 0);
        request.WriteHeader(Header(interfaceIndex, direction, priority, handle));
        request.AddString(TCA_KIND, "bpf");
        socket.Request(request, "RTM_DELTFILTER");
    }

    /// <summary>Every cls_bpf filter on the hook; empty when the interface has no clsact qdisc.</summary>
    internal static List<TcFilterInfo> ListFilters(NetlinkSocket socket, int interfaceIndex, TcDirection direction)
    {
        var request = new NetlinkMessageWriter(RTM_GETTFILTER, 0);
        request.WriteHeader(new TcMessage { InterfaceIndex = interfaceIndex, Parent = Parent(direction) });
        List<NetlinkMessage> replies;
        try
        {
            replies = socket.Dump(request, "RTM_GETTFILTER");
        }
        catch (NetlinkException error) when (error.Errno is Libc.EINVAL or Libc.ENOENT or Libc.ENODEV)
        {
            return []; // no clsact qdisc (or no interface any more): nothing is attached
        }
        var filters = new List<TcFilterInfo>();
        foreach (var reply in replies)
        {
            var header = reply.ReadHeader<TcMessage>();
            var attributes = reply.Attributes(Unsafe.SizeOf<TcMessage>());
            // Each priority also yields a head entry with handle 0 and no options; it is not a filter.
            if (header.Handle == 0 || attributes.GetString(TCA_KIND) != "bpf") continue;
            var options = attributes.GetNested(TCA_OPTIONS);
            filters.Add(new TcFilterInfo(header.InterfaceIndex, direction, (ushort)(header.Info >> 16), header.Handle,
                options?.GetUInt32(TCA_BPF_ID) ?? 0, options?.GetString(TCA_BPF_NAME),
                ((options?.GetUInt32(TCA_BPF_FLAGS) ?? 0) & TCA_BPF_FLAG_ACT_DIRECT) != 0));
        }
        return filters;
    }

    internal static uint Parent(TcDirection direction) => direction == TcDirection.Egress ? ClsactEgress : ClsactIngress;

    private static TcMessage Header(int interfaceIndex, TcDirection direction, ushort priority, uint handle) => new()
    {
        InterfaceIndex = interfaceIndex,
        Handle = handle,
        Parent = Parent(direction),
        Info = ((uint)priority << 16) | EthPAllNetworkOrder,
    };
}
