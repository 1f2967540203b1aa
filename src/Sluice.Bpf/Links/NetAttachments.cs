using Sluice.Bpf.Net.Netlink;

namespace Sluice.Bpf;

/// <summary>
/// Everything attached to the network hooks of a namespace, in one list: XDP per mode (netlink), TCX per direction
/// in run order (BPF_PROG_QUERY, Linux 6.6) and cls_bpf filters on clsact (RTM_GETTFILTER). This is what
/// `sluice net list` prints.
/// </summary>
public static class NetAttachments
{
    /// <summary>Lists every attachment in <paramref name="netns"/> (null: the caller's namespace).</summary>
    public static IReadOnlyList<NetAttachmentInfo> List(NetworkNamespace? netns = null)
    {
        using var socket = NetlinkSocket.Open(netns);
        var interfaces = XdpNetlink.QueryAll(socket);
        // BPF_PROG_QUERY resolves ifindexes in the calling thread's namespace: one trip into it serves every interface.
        var tcx = Tcx.IsSupported
            ? NamespaceScope.Run(netns, () => interfaces.SelectMany(d => new[] { TcDirection.Ingress, TcDirection.Egress }
                .Select(direction => QueryTcx(d.InterfaceIndex, direction))).ToList())
            : [];
        var xdpLinks = XdpLinksByProgram();
        var result = new List<NetAttachmentInfo>();
        var names = new Dictionary<uint, string>();
        string NameOf(uint id) => names.TryGetValue(id, out var name) ? name : names[id] = ProgramLookup.Find(id)?.Name ?? "";

        foreach (var device in interfaces)
        {
            foreach (var (mode, programId) in device.Attachments())
                result.Add(new NetAttachmentInfo
                {
                    InterfaceName = device.InterfaceName, InterfaceIndex = device.InterfaceIndex, Hook = NetHook.Xdp,
                    ProgramId = programId, ProgramName = NameOf(programId), XdpMode = mode,
                    LinkId = xdpLinks.TryGetValue(programId, out uint link) ? link : null,
                });
            foreach (var direction in new[] { TcDirection.Ingress, TcDirection.Egress })
            {
                foreach (var state in tcx.Where(t => t.InterfaceIndex == device.InterfaceIndex && t.Direction == direction))
                {
                    for (int position = 0; position < state.Programs.Count; position++)
                    {
                        var entry = state.Programs[position];
                        result.Add(new NetAttachmentInfo
                        {
                            InterfaceName = device.InterfaceName, InterfaceIndex = device.InterfaceIndex, Hook = NetHook.Tcx,
                            ProgramId = entry.ProgramId, ProgramName = NameOf(entry.ProgramId), Direction = direction,
                            Position = position, LinkId = entry.LinkId,
                        });
                    }
                }
                foreach (var filter in TcNetlink.ListFilters(socket, device.InterfaceIndex, direction))
                    result.Add(new NetAttachmentInfo
                    {
                        InterfaceName = device.InterfaceName, InterfaceIndex = device.InterfaceIndex, Hook = NetHook.TcFilter,
                        ProgramId = filter.ProgramId, ProgramName = NameOf(filter.ProgramId), Direction = direction,
                        Priority = filter.Priority, Handle = filter.Handle, FilterName = filter.Name,
                    });
            }
        }
        return result;
    }

    /// <summary>An interface removed while listing simply has nothing attached any more.</summary>
    private static TcxState QueryTcx(int interfaceIndex, TcDirection direction)
    {
        try
        {
            return Tcx.QueryHere(interfaceIndex, direction);
        }
        catch (BpfAttachException error) when (error.Reason == AttachFailure.InterfaceNotFound)
        {
            return new TcxState(interfaceIndex, direction, 0, []);
        }
    }

    /// <summary>XDP links by program id. Link info carries only an ifindex, not a namespace, so match on the program.</summary>
    private static Dictionary<uint, uint> XdpLinksByProgram()
    {
        var links = new Dictionary<uint, uint>();
        foreach (var link in BpfLinkInfo.All())
            if (link.Type == BpfLinkType.Xdp && link.ProgramId != 0) links.TryAdd(link.ProgramId, link.Id);
        return links;
    }
}
