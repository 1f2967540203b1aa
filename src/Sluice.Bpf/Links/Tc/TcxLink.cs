using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// A TC program attached through TCX (Linux 6.6): a bpf_link on the interface's ingress or egress hook, with
/// ordering among several programs and no qdisc. Closing the last fd or pin detaches it. `tc filter show` does not
/// list these; <see cref="Tcx.Query(string, TcDirection, NetworkNamespace?)"/> does.
/// </summary>
public sealed class TcxLink : BpfLink
{
    internal TcxLink(BpfFd fd, LinkDetails info) : base(fd, info)
    {
        InterfaceIndex = info.InterfaceIndex ?? 0;
        Direction = info.AttachType == BpfAttachType.TcxEgress ? TcDirection.Egress : TcDirection.Ingress;
    }

    /// <summary>The interface index (in the namespace the link was created in).</summary>
    public int InterfaceIndex { get; }

    /// <summary>Ingress or egress.</summary>
    public TcDirection Direction { get; }

    /// <inheritdoc />
    public override AttachmentKind Kind => AttachmentKind.TcxLink;

    /// <summary>Attaches <paramref name="program"/> through TCX; see the fd overload.</summary>
    public static TcxLink Attach(BpfProgram program, string interfaceName, TcDirection direction, TcxOrder? order = null, NetworkNamespace? netns = null) =>
        Attach(program?.Fd!, interfaceName, direction, order, netns);

    /// <summary>Attaches a TC (SchedCls) program to <paramref name="interfaceName"/> through TCX (Linux 6.6).</summary>
    /// <param name="program">A SchedCls program (SEC("tc") / "tcx/ingress" / "tcx/egress").</param>
    /// <param name="interfaceName">The interface.</param>
    /// <param name="direction">Ingress or egress.</param>
    /// <param name="order">Position among programs already attached; default: last.</param>
    /// <param name="netns">The interface's namespace (null: the caller's).</param>
    /// <exception cref="BpfAttachException">Missing interface, wrong program type, unknown relative program.</exception>
    /// <exception cref="BpfNotSupportedException">The kernel has no TCX (before 6.6).</exception>
    public static TcxLink Attach(BpfFd program, string interfaceName, TcDirection direction, TcxOrder? order = null, NetworkNamespace? netns = null)
    {
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        return Attach(program, index, interfaceName, direction, order, netns);
    }

    /// <summary>Attaches to interface <paramref name="interfaceIndex"/>; see the name-based overload.</summary>
    public static TcxLink Attach(BpfFd program, int interfaceIndex, TcDirection direction, TcxOrder? order = null, NetworkNamespace? netns = null) =>
        Attach(program, interfaceIndex, $"#{interfaceIndex}", direction, order, netns);

    internal static TcxLink Attach(BpfFd program, int interfaceIndex, string interfaceName, TcDirection direction, TcxOrder? order, NetworkNamespace? netns)
    {
        TcErrors.CheckProgramType(program, interfaceName, netns);
        var position = order ?? TcxOrder.Last;
        var attr = new LinkCreateAttr
        {
            ProgFd = (uint)program.Value,
            Target = (uint)interfaceIndex,
            AttachType = (uint)AttachType(direction),
            Flags = position.Flags,
            Relative = position.RelativeId,
        };
        var (fd, errno) = NamespaceScope.Run(netns, () => (BpfSyscall.TryInvoke(BpfCommand.LinkCreate, ref attr, out int e), e));
        if (fd < 0) throw TcErrors.ExplainTcx(errno, interfaceName, direction, position, netns);
        var handle = new BpfFd(fd);
        try
        {
            return new TcxLink(handle, ReadInfo(handle)) { CreatedHere = true };
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    internal static BpfAttachType AttachType(TcDirection direction) =>
        direction == TcDirection.Egress ? BpfAttachType.TcxEgress : BpfAttachType.TcxIngress;

    /// <inheritdoc />
    public override string ToString() => $"TCX link {Id} on ifindex {InterfaceIndex} {Direction} (program {ProgramId})";
}
