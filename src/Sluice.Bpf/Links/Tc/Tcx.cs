using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>TCX queries and the kernel support probe (attaching: <see cref="TcxLink.Attach(BpfFd, string, TcDirection, TcxOrder?, NetworkNamespace?)"/>).</summary>
public static class Tcx
{
    private const int MaxPrograms = 64;
    private static readonly Lazy<bool> Supported = new(Probe);

    // Set only by tests, for the current async flow: exercises the clsact fallback on a kernel that has TCX.
    private static readonly AsyncLocal<bool> SimulatedMissing = new();

    /// <summary>True when the kernel has TCX (Linux 6.6).</summary>
    public static bool IsSupported => !SimulatedMissing.Value && Supported.Value;

    /// <summary>
    /// Until the result is disposed, this async flow (and threads it starts) sees <see cref="IsSupported"/> false, so
    /// the automatic choices take the path of kernels without TCX. For tests; other flows are unaffected.
    /// </summary>
    internal static IDisposable SimulateMissing()
    {
        bool previous = SimulatedMissing.Value;
        SimulatedMissing.Value = true;
        return new Restore(() => SimulatedMissing.Value = previous);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>The programs on <paramref name="interfaceName"/>'s TCX hook, in run order.</summary>
    public static TcxState Query(string interfaceName, TcDirection direction, NetworkNamespace? netns = null) =>
        NamespaceScope.Run(netns, () => QueryHere(InterfaceResolver.Resolve(interfaceName, netns), direction));

    /// <summary>The programs on interface <paramref name="interfaceIndex"/>'s TCX hook, in run order.</summary>
    public static TcxState Query(int interfaceIndex, TcDirection direction, NetworkNamespace? netns = null) =>
        NamespaceScope.Run(netns, () => QueryHere(interfaceIndex, direction));

    /// <summary>
    /// Attach-or-update through a TCX link pinned at <paramref name="pinPath"/> (<see cref="PinnedLink.AttachOrUpdate"/>):
    /// when the pinned link is on this interface and direction, <paramref name="program"/> replaces its program
    /// atomically; otherwise the old link is detached and a new <see cref="TcxLink"/> (appended to the hook) is
    /// created and pinned. Needs TCX (Linux 6.6).
    /// </summary>
    /// <returns>The link; disposing it keeps the attachment (the pin holds it).</returns>
    /// <exception cref="BpfAttachException">The interface is missing or the kernel refused the program.</exception>
    public static BpfLink AttachPinned(BpfProgram program, string interfaceName, TcDirection direction, string pinPath, NetworkNamespace? netns = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        return PinnedLink.AttachOrUpdate(pinPath, program.Fd,
            info => info.IfIndex == index && IsOnHook(info, direction, netns),
            () => TcxLink.Attach(program.Fd, index, interfaceName, direction, null, netns));
    }

    /// <summary>True when link <paramref name="info"/> sits on the <paramref name="direction"/> hook of its interface.</summary>
    private static bool IsOnHook(BpfLinkInfo info, TcDirection direction, NetworkNamespace? netns) =>
        info.Type == BpfLinkType.Tcx && Query((int)info.IfIndex, direction, netns).Programs.Any(entry => entry.LinkId == info.Id);

    /// <summary>BPF_PROG_QUERY resolves the ifindex in the calling thread's namespace.</summary>
    internal static unsafe TcxState QueryHere(int interfaceIndex, TcDirection direction)
    {
        var programs = new uint[MaxPrograms];
        var links = new uint[MaxPrograms];
        fixed (uint* programIds = programs)
        fixed (uint* linkIds = links)
        {
            var attr = new ProgQueryAttr
            {
                Target = (uint)interfaceIndex,
                AttachType = (uint)TcxLink.AttachType(direction),
                ProgIds = (ulong)programIds,
                LinkIds = (ulong)linkIds,
                Count = MaxPrograms,
            };
            if (BpfSyscall.TryInvoke(BpfCommand.ProgQuery, ref attr, out int errno) < 0)
            {
                if (errno == Libc.EINVAL && !IsSupported) throw new BpfNotSupportedException("TCX", "6.6");
                if (errno == Libc.ENODEV)
                    throw new BpfAttachException(AttachFailure.InterfaceNotFound, errno, $"interface index {interfaceIndex} does not exist");
                throw BpfException.FromErrno(BpfCommand.ProgQuery, errno, $"TCX {direction} of ifindex {interfaceIndex}");
            }
            var entries = new TcxEntry[Math.Min(attr.Count, MaxPrograms)];
            for (int i = 0; i < entries.Length; i++) entries[i] = new TcxEntry(programs[i], links[i] == 0 ? null : links[i]);
            return new TcxState(interfaceIndex, direction, attr.Revision, entries);
        }
    }

    /// <summary>Loopback is interface 1 in every namespace; kernels without TCX reject the attach type with EINVAL.</summary>
    private static bool Probe()
    {
        var attr = new ProgQueryAttr { Target = 1, AttachType = (uint)TcxLink.AttachType(TcDirection.Ingress) };
        return BpfSyscall.TryInvoke(BpfCommand.ProgQuery, ref attr, out int errno) >= 0 || errno != Libc.EINVAL;
    }
}
