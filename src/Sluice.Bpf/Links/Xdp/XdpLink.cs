using Sluice.Bpf.Interop;
using Sluice.Bpf.Net.Netlink;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// An XDP program attached through a bpf_link (Linux 5.9). While the link exists nobody else can replace or remove
/// the program through netlink (`ip link set dev X xdp off` is refused); closing the last fd or pin detaches it.
/// </summary>
public sealed class XdpLink : BpfLink
{
    internal XdpLink(BpfFd fd, LinkDetails info, XdpMode mode = XdpMode.BestAvailable) : base(fd, info)
    {
        InterfaceIndex = info.InterfaceIndex ?? 0;
        Mode = mode;
    }

    /// <summary>The interface index (in the namespace the link was created in).</summary>
    public int InterfaceIndex { get; }

    /// <summary>
    /// The mode the program runs in as seen at attach time; <see cref="XdpMode.BestAvailable"/> for a link
    /// reopened from a pin or id, whose mode the kernel does not report.
    /// </summary>
    public XdpMode Mode { get; }

    /// <inheritdoc />
    public override AttachmentKind Kind => AttachmentKind.XdpLink;

    /// <summary>Attaches <paramref name="program"/> through a bpf_link; see the fd overload.</summary>
    public static XdpLink Attach(BpfProgram program, string interfaceName, XdpMode mode = XdpMode.BestAvailable, NetworkNamespace? netns = null) =>
        Attach(program?.Fd!, interfaceName, mode, netns);

    /// <summary>Attaches <paramref name="program"/> to <paramref name="interfaceName"/> through a bpf_link (Linux 5.9).</summary>
    /// <exception cref="BpfAttachException">Names the cause: missing interface, unsupported mode, occupied slot, wrong type.</exception>
    public static XdpLink Attach(BpfFd program, string interfaceName, XdpMode mode = XdpMode.BestAvailable, NetworkNamespace? netns = null)
    {
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        return Attach(program, index, mode, netns, interfaceName);
    }

    /// <summary>Attaches <paramref name="program"/> to interface <paramref name="interfaceIndex"/> through a bpf_link.</summary>
    public static XdpLink Attach(BpfFd program, int interfaceIndex, XdpMode mode = XdpMode.BestAvailable, NetworkNamespace? netns = null) =>
        Attach(program, interfaceIndex, mode, netns, $"#{interfaceIndex}");

    internal static XdpLink Attach(BpfFd program, int interfaceIndex, XdpMode mode, NetworkNamespace? netns, string interfaceName)
    {
        XdpErrors.CheckProgramType(program, interfaceName, netns);
        int fd = TryCreate(program, interfaceIndex, mode, netns, out int errno);
        if (fd < 0) throw XdpErrors.Explain(errno, null, interfaceIndex, interfaceName, mode, netns, "BPF_LINK_CREATE");
        var handle = new BpfFd(fd);
        try
        {
            return new XdpLink(handle, ReadInfo(handle), ActualMode(interfaceIndex, mode, netns)) { CreatedHere = true };
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>BPF_LINK_CREATE; the ifindex is resolved in the calling thread's namespace, hence the scope.</summary>
    internal static int TryCreate(BpfFd program, int interfaceIndex, XdpMode mode, NetworkNamespace? netns, out int errno)
    {
        var attr = new LinkCreateAttr
        {
            ProgFd = (uint)program.Value,
            Target = (uint)interfaceIndex,
            AttachType = (uint)BpfAttachType.Xdp,
            Flags = (uint)mode,
        };
        var (fd, error) = NamespaceScope.Run(netns, () => (BpfSyscall.TryInvoke(BpfCommand.LinkCreate, ref attr, out int e), e));
        errno = error;
        return fd;
    }

    private static XdpMode ActualMode(int interfaceIndex, XdpMode requested, NetworkNamespace? netns)
    {
        if (requested != XdpMode.BestAvailable) return requested;
        using var socket = NetlinkSocket.Open(netns);
        return XdpNetlink.Query(socket, interfaceIndex).Attachments().Select(a => a.Mode).FirstOrDefault(XdpMode.Offload);
    }

    /// <inheritdoc />
    public override string ToString() => $"XDP link {Id} on ifindex {InterfaceIndex} ({Mode}, program {ProgramId})";
}
