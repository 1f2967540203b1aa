using Sluice.Bpf.Net.Netlink;

namespace Sluice.Bpf;

/// <summary>
/// TC attach, list and detach over both mechanisms: TCX links (Linux 6.6) and clsact + cls_bpf filters (Linux 4.5).
/// <see cref="Attach(BpfFd, string, TcDirection, TcAttachOptions?)"/> picks TCX when the kernel has it.
/// </summary>
public static class Tc
{
    /// <summary>Attaches <paramref name="program"/> to <paramref name="interfaceName"/>'s ingress or egress; see the fd overload.</summary>
    public static IBpfAttachment Attach(BpfProgram program, string interfaceName, TcDirection direction, TcAttachOptions? options = null) =>
        Attach(program?.Fd!, interfaceName, direction, options);

    /// <summary>Attaches a SchedCls program to <paramref name="interfaceName"/>'s ingress or egress.</summary>
    /// <returns>A <see cref="TcxLink"/> or a <see cref="TcFilterAttachment"/>; disposing either detaches.</returns>
    /// <exception cref="BpfAttachException">Names the cause (missing interface, wrong program type, slot taken, ...).</exception>
    public static IBpfAttachment Attach(BpfFd program, string interfaceName, TcDirection direction, TcAttachOptions? options = null)
    {
        options ??= new TcAttachOptions();
        int index = InterfaceResolver.ResolveIn(interfaceName, options.Namespace);
        bool useTcx = options.Method switch
        {
            TcAttachMethod.Tcx => true,
            TcAttachMethod.Filter => false,
            _ => Tcx.IsSupported,
        };
        return useTcx
            ? TcxLink.Attach(program, index, interfaceName, direction, options.Order, options.Namespace)
            : TcFilterAttachment.Attach(program, index, interfaceName, direction, options.Priority, options.Handle, options.Replace, options.Namespace);
    }

    /// <summary>The cls_bpf filters on <paramref name="interfaceName"/>'s clsact hook (empty without a clsact qdisc).</summary>
    public static IReadOnlyList<TcFilterInfo> ListFilters(string interfaceName, TcDirection direction, NetworkNamespace? netns = null)
    {
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        using var socket = NetlinkSocket.Open(netns);
        return TcNetlink.ListFilters(socket, index, direction);
    }

    /// <summary>Deletes the cls_bpf filter at <paramref name="priority"/>/<paramref name="handle"/>; false when there was none.</summary>
    public static bool DetachFilter(string interfaceName, TcDirection direction, ushort priority, uint handle, NetworkNamespace? netns = null)
    {
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        using var socket = NetlinkSocket.Open(netns);
        if (!TcNetlink.ListFilters(socket, index, direction).Any(f => f.Priority == priority && f.Handle == handle)) return false;
        TcNetlink.DeleteFilter(socket, index, direction, priority, handle);
        return true;
    }

    /// <summary>Removes the clsact qdisc of <paramref name="interfaceName"/> and every filter on it; false when it had none.</summary>
    public static bool RemoveClsact(string interfaceName, NetworkNamespace? netns = null)
    {
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        using var socket = NetlinkSocket.Open(netns);
        try
        {
            TcNetlink.DeleteClsact(socket, index);
            return true;
        }
        catch (NetlinkException error) when (error.Errno is Interop.Libc.EINVAL or Interop.Libc.ENOENT)
        {
            return false;
        }
    }
}
