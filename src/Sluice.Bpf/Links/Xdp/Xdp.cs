using Sluice.Bpf.Net.Netlink;

namespace Sluice.Bpf;

/// <summary>
/// XDP attach, query and detach. <see cref="Attach(BpfFd, string, XdpMode, XdpAttachOptions?)"/> prefers a bpf_link
/// (Linux 5.9) and falls back to netlink IFLA_XDP on kernels without XDP links.
/// </summary>
public static class Xdp
{
    /// <summary>Attaches <paramref name="program"/> to <paramref name="interfaceName"/>; see the fd overload.</summary>
    public static IBpfAttachment Attach(BpfProgram program, string interfaceName, XdpMode mode = XdpMode.BestAvailable, XdpAttachOptions? options = null) =>
        Attach(program?.Fd!, interfaceName, mode, options);

    /// <summary>Attaches an XDP program to <paramref name="interfaceName"/>.</summary>
    /// <returns>An <see cref="XdpLink"/> or an <see cref="XdpNetlinkAttachment"/>; disposing either detaches.</returns>
    /// <exception cref="BpfAttachException">
    /// Names the cause: <see cref="AttachFailure.InterfaceNotFound"/>, <see cref="AttachFailure.ModeNotSupported"/>,
    /// <see cref="AttachFailure.HookOccupied"/> or <see cref="AttachFailure.HeldByLink"/> (with the occupant),
    /// <see cref="AttachFailure.WrongProgramType"/>.
    /// </exception>
    public static IBpfAttachment Attach(BpfFd program, string interfaceName, XdpMode mode = XdpMode.BestAvailable, XdpAttachOptions? options = null)
    {
        var netns = options?.Namespace;
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        return Attach(program, index, interfaceName, mode, options);
    }

    /// <summary>Attaches an XDP program to interface <paramref name="interfaceIndex"/>.</summary>
    public static IBpfAttachment Attach(BpfFd program, int interfaceIndex, XdpMode mode = XdpMode.BestAvailable, XdpAttachOptions? options = null) =>
        Attach(program, interfaceIndex, $"#{interfaceIndex}", mode, options);

    private static IBpfAttachment Attach(BpfFd program, int index, string name, XdpMode mode, XdpAttachOptions? options)
    {
        var netns = options?.Namespace;
        var method = options?.Method ?? XdpAttachMethod.Auto;
        if (method == XdpAttachMethod.Netlink || (method == XdpAttachMethod.Auto && options?.ReplaceExisting == true))
            return XdpNetlinkAttachment.Attach(program, index, name, mode, netns, options?.ReplaceExisting ?? false);
        try
        {
            return XdpLink.Attach(program, index, mode, netns, name);
        }
        catch (BpfAttachException error) when (method == XdpAttachMethod.Auto && error.Errno == Interop.Libc.EINVAL && mode != XdpMode.Offload)
        {
            // Kernels before 5.9 reject BPF_LINK_CREATE for XDP with EINVAL: netlink does the same job there.
            return XdpNetlinkAttachment.Attach(program, index, name, mode, netns, replaceExisting: false);
        }
    }

    /// <summary>What is attached to <paramref name="interfaceName"/>, per mode (netlink RTM_GETLINK).</summary>
    public static XdpState Query(string interfaceName, NetworkNamespace? netns = null)
    {
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        using var socket = NetlinkSocket.Open(netns);
        return XdpNetlink.Query(socket, index);
    }

    /// <summary>What is attached to interface <paramref name="interfaceIndex"/>, per mode.</summary>
    public static XdpState Query(int interfaceIndex, NetworkNamespace? netns = null)
    {
        using var socket = NetlinkSocket.Open(netns);
        return XdpNetlink.Query(socket, interfaceIndex);
    }

    /// <summary>
    /// The mode program <paramref name="programId"/> currently runs in on <paramref name="interfaceName"/>, or null
    /// when it does not run there. A link reopened from a pin does not report its mode; the interface does.
    /// </summary>
    public static XdpMode? CurrentMode(string interfaceName, uint programId, NetworkNamespace? netns = null) =>
        Query(interfaceName, netns).ModeOf(programId);

    /// <summary>
    /// Attach-or-update through a link pinned at <paramref name="pinPath"/> (<see cref="PinnedLink.AttachOrUpdate"/>):
    /// when the pinned link is on this interface and in <paramref name="mode"/> (any mode for
    /// <see cref="XdpMode.BestAvailable"/>), <paramref name="program"/> replaces its program atomically; otherwise the
    /// old link is detached and a new <see cref="XdpLink"/> is created and pinned. Needs XDP links (Linux 5.9).
    /// </summary>
    /// <returns>The link; disposing it keeps the attachment (the pin holds it).</returns>
    /// <exception cref="BpfAttachException">The interface is missing, the mode unsupported, the hook taken by someone else.</exception>
    public static BpfLink AttachPinned(BpfProgram program, string interfaceName, XdpMode mode, string pinPath, NetworkNamespace? netns = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        return PinnedLink.AttachOrUpdate(pinPath, program.Fd,
            info => info.IfIndex == index && (mode == XdpMode.BestAvailable || Query(index, netns).ModeOf(info.ProgramId) == mode),
            () => XdpLink.Attach(program.Fd, index, mode, netns, interfaceName));
    }

    /// <summary>The XDP state of every interface in the namespace.</summary>
    public static IReadOnlyList<XdpState> QueryAll(NetworkNamespace? netns = null)
    {
        using var socket = NetlinkSocket.Open(netns);
        return XdpNetlink.QueryAll(socket);
    }

    /// <summary>
    /// Detaches whatever netlink-attached program runs on <paramref name="interfaceName"/> in <paramref name="mode"/>
    /// (<see cref="XdpMode.BestAvailable"/>: every mode that has one). Programs held by a bpf_link cannot be removed
    /// this way: the error names the link.
    /// </summary>
    /// <returns>False when nothing was attached.</returns>
    public static bool Detach(string interfaceName, XdpMode mode = XdpMode.BestAvailable, NetworkNamespace? netns = null)
    {
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        using var socket = NetlinkSocket.Open(netns);
        var state = XdpNetlink.Query(socket, index);
        bool any = false;
        foreach (var (attachedMode, _) in state.Attachments().Where(a => mode == XdpMode.BestAvailable || a.Mode == mode).ToList())
        {
            try
            {
                XdpNetlink.Set(socket, index, -1, (uint)attachedMode);
            }
            catch (NetlinkException error)
            {
                throw XdpErrors.Explain(error.Errno, error.KernelMessage, index, interfaceName, attachedMode, netns, "RTM_SETLINK IFLA_XDP", error, socket);
            }
            any = true;
        }
        return any;
    }
}
