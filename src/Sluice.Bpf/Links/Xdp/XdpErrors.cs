using Sluice.Bpf.Interop;
using Sluice.Bpf.Net.Netlink;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Turns an errno from an XDP attach into a message that names the cause. The kernel explains itself only over
/// netlink (extended ack); for bpf_link failures Sluice looks at the interface to find out who is in the way.
/// </summary>
internal static class XdpErrors
{
    internal static void CheckProgramType(BpfFd program, string interfaceName, NetworkNamespace? netns)
    {
        ArgumentNullException.ThrowIfNull(program);
        var identity = ProgramLookup.Of(program);
        if (identity.Type != BpfProgramType.Xdp)
            throw new BpfAttachException(AttachFailure.WrongProgramType, Libc.EINVAL,
                $"cannot attach program {ProgramLookup.Describe(identity)} to XDP on {NamespaceScope.Describe(interfaceName, netns)}: XDP needs a program of type Xdp (SEC(\"xdp\"))");
    }

    internal static BpfAttachException Explain(int errno, string? kernelMessage, int interfaceIndex, string interfaceName,
        XdpMode mode, NetworkNamespace? netns, string operation, Exception? inner = null, NetlinkSocket? socket = null)
    {
        string where = NamespaceScope.Describe(interfaceName, netns);
        string failed = $"{operation} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})" +
            (string.IsNullOrEmpty(kernelMessage) ? "" : $": {kernelMessage}");
        string modeText = mode == XdpMode.BestAvailable ? "" : $" in {mode.ToString().ToLowerInvariant()} mode";

        switch (errno)
        {
            case Libc.ENODEV:
                return new BpfAttachException(AttachFailure.InterfaceNotFound, errno, $"interface {where} does not exist ({failed})", inner)
                { KernelMessage = kernelMessage };
            case Libc.EPERM:
            case Libc.EACCES:
                return new BpfAttachException(AttachFailure.PermissionDenied, errno,
                    $"not allowed to attach XDP to {where}: needs CAP_NET_ADMIN and CAP_BPF ({failed})", inner) { KernelMessage = kernelMessage };
            case Libc.EOPNOTSUPP:
            case Libc.EINVAL when mode == XdpMode.Offload:
                return new BpfAttachException(AttachFailure.ModeNotSupported, errno,
                    $"interface {where} cannot run XDP{modeText}" +
                    (mode == XdpMode.Offload ? " (offload needs an offload-capable NIC and a program loaded for that device)" : "") +
                    $" ({failed})", inner) { KernelMessage = kernelMessage };
            case Libc.EBUSY:
            case Libc.EEXIST:
                return Occupied(errno, kernelMessage, interfaceIndex, where, mode, netns, failed, inner, socket);
            default:
                return new BpfAttachException(AttachFailure.Other, errno, $"attaching XDP{modeText} to {where} failed ({failed})", inner)
                { KernelMessage = kernelMessage };
        }
    }

    private static BpfAttachException Occupied(int errno, string? kernelMessage, int interfaceIndex, string where, XdpMode mode,
        NetworkNamespace? netns, string failed, Exception? inner, NetlinkSocket? socket)
    {
        XdpState? state = null;
        try
        {
            // An attachment passes its own socket: it is in the interface's namespace, whatever the caller's is.
            using var opened = socket is null ? NetlinkSocket.Open(netns) : null;
            state = XdpNetlink.Query(socket ?? opened!, interfaceIndex);
        }
        catch (Exception exception) when (exception is IOException or TimeoutException)
        {
            // The explanation is best effort; the errno alone still goes into the message.
        }
        // Prefer the program in the requested mode; otherwise whichever mode blocks it (native vs generic).
        var attached = state?.Attachments().ToList() ?? [];
        var occupant = attached.Where(a => a.Mode == mode).Concat(attached).Select(a => ((XdpMode Mode, uint ProgramId)?)a).FirstOrDefault();
        if (occupant is not { } found)
            return new BpfAttachException(AttachFailure.HookOccupied, errno, $"XDP on {where} is busy ({failed})", inner) { KernelMessage = kernelMessage };

        var identity = ProgramLookup.Find(found.ProgramId);
        string program = identity is null ? $"id {found.ProgramId}" : ProgramLookup.Describe(identity);
        string foundMode = found.Mode.ToString().ToLowerInvariant();
        var links = BpfLink.FindByProgram(BpfLinkType.Xdp, found.ProgramId);
        uint? linkId = links.Count > 0 ? links[0] : null;
        BpfAttachException Make(AttachFailure reason, string message) => new(reason, errno, $"{message} ({failed})", inner)
        {
            AttachedProgramId = found.ProgramId, AttachedProgramName = identity?.Name, HoldingLinkId = linkId, KernelMessage = kernelMessage,
        };

        if (found.Mode != mode && mode is XdpMode.Native or XdpMode.Generic)
            return Make(AttachFailure.HookOccupied,
                $"cannot attach XDP in {mode.ToString().ToLowerInvariant()} mode to {where}: program {program} runs there in {foundMode} mode" +
                (linkId is null ? "" : $", held by bpf_link {linkId}") + ", and native and generic XDP cannot be active on one interface at the same time");
        if (linkId is not null)
            return Make(AttachFailure.HeldByLink,
                $"XDP on {where} is held by bpf_link {linkId} (program {program}, {foundMode} mode)");
        return Make(AttachFailure.HookOccupied, $"XDP on {where} is occupied by program {program} in {foundMode} mode; detach it first or replace it explicitly");
    }
}
