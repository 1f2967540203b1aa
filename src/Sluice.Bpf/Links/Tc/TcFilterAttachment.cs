using Sluice.Bpf.Interop;
using Sluice.Bpf.Net.Netlink;

namespace Sluice.Bpf;

/// <summary>
/// A TC program attached the legacy way (Linux 4.5): a clsact qdisc on the interface, created when absent, and a
/// cls_bpf filter in direct-action mode at a priority and handle. The kernel keeps the filter with nobody holding
/// it, so this object deletes it on dispose unless <see cref="DetachOnDispose"/> is cleared. The qdisc stays.
/// </summary>
public sealed class TcFilterAttachment : IBpfAttachment
{
    private readonly NetlinkSocket _socket;
    private readonly string _interfaceName;
    private bool _attached = true;

    private TcFilterAttachment(NetlinkSocket socket, int interfaceIndex, string interfaceName, TcDirection direction,
        ushort priority, uint handle, uint programId)
    {
        _socket = socket;
        InterfaceIndex = interfaceIndex;
        _interfaceName = interfaceName;
        Direction = direction;
        Priority = priority;
        Handle = handle;
        ProgramId = programId;
    }

    /// <summary>The interface index.</summary>
    public int InterfaceIndex { get; }

    /// <summary>Ingress or egress.</summary>
    public TcDirection Direction { get; }

    /// <summary>The filter's priority.</summary>
    public ushort Priority { get; }

    /// <summary>The filter's handle.</summary>
    public uint Handle { get; }

    /// <inheritdoc />
    public AttachmentKind Kind => AttachmentKind.TcFilter;

    /// <inheritdoc />
    public uint ProgramId { get; private set; }

    /// <summary>Whether <see cref="Dispose"/> deletes the filter (default true); clear it to leave the program running.</summary>
    public bool DetachOnDispose { get; set; } = true;

    /// <summary>Attaches <paramref name="program"/> as a cls_bpf direct-action filter; see the fd overload.</summary>
    public static TcFilterAttachment Attach(BpfProgram program, string interfaceName, TcDirection direction, ushort priority = 1, uint handle = 1,
        bool replace = false, NetworkNamespace? netns = null) =>
        Attach(program?.Fd!, interfaceName, direction, priority, handle, replace, netns);

    /// <summary>Attaches <paramref name="program"/> as a cls_bpf direct-action filter, creating the clsact qdisc if needed.</summary>
    /// <param name="program">A SchedCls program.</param>
    /// <param name="interfaceName">The interface.</param>
    /// <param name="direction">Ingress or egress.</param>
    /// <param name="priority">Filter priority, 1..65535 (lower runs first).</param>
    /// <param name="handle">Filter handle within the priority, non-zero.</param>
    /// <param name="replace">Replace a filter already at this priority/handle instead of failing.</param>
    /// <param name="netns">The interface's namespace (null: the caller's).</param>
    /// <exception cref="BpfAttachException">Missing interface, wrong program type, or the slot is taken (names the occupant).</exception>
    public static TcFilterAttachment Attach(BpfFd program, string interfaceName, TcDirection direction, ushort priority = 1, uint handle = 1,
        bool replace = false, NetworkNamespace? netns = null)
    {
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        return Attach(program, index, interfaceName, direction, priority, handle, replace, netns);
    }

    internal static TcFilterAttachment Attach(BpfFd program, int interfaceIndex, string interfaceName, TcDirection direction,
        ushort priority, uint handle, bool replace, NetworkNamespace? netns)
    {
        if (priority == 0) throw new ArgumentOutOfRangeException(nameof(priority), "TC filter priority must be 1..65535");
        if (handle == 0) throw new ArgumentOutOfRangeException(nameof(handle), "TC filter handle must be non-zero");
        TcErrors.CheckProgramType(program, interfaceName, netns);
        var identity = ProgramLookup.Of(program);
        var socket = NetlinkSocket.Open(netns);
        try
        {
            try
            {
                TcNetlink.EnsureClsact(socket, interfaceIndex);
                TcNetlink.SetFilter(socket, interfaceIndex, direction, priority, handle, program.Value, FilterName(identity), replace);
            }
            catch (NetlinkException error)
            {
                throw Explain(error, socket, interfaceIndex, NamespaceScope.Describe(interfaceName, netns), direction, priority, handle);
            }
            return new TcFilterAttachment(socket, interfaceIndex, interfaceName, direction, priority, handle, identity.Id);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Replaces the filter's program atomically (RTM_NEWTFILTER with NLM_F_REPLACE on the same priority/handle).</summary>
    public void Update(BpfFd program)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (!_attached) throw new InvalidOperationException("the filter was detached");
        TcErrors.CheckProgramType(program, _interfaceName, null);
        var identity = ProgramLookup.Of(program);
        try
        {
            TcNetlink.SetFilter(_socket, InterfaceIndex, Direction, Priority, Handle, program.Value, FilterName(identity), replace: true);
        }
        catch (NetlinkException error)
        {
            throw Explain(error, _socket, InterfaceIndex, $"'{_interfaceName}'", Direction, Priority, Handle);
        }
        ProgramId = identity.Id;
    }

    /// <summary>TC filters cannot be pinned: they persist on their own. Clear <see cref="DetachOnDispose"/> instead.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public void Pin(string path) =>
        throw new NotSupportedException("a TC filter cannot be pinned; it stays attached by itself when DetachOnDispose is false " +
            "(use TCX for a pinnable attachment)");

    /// <summary>Deletes the filter (RTM_DELTFILTER); a filter that is already gone is not an error.</summary>
    public void Detach()
    {
        if (!_attached) return;
        try
        {
            TcNetlink.DeleteFilter(_socket, InterfaceIndex, Direction, Priority, Handle);
        }
        catch (NetlinkException error) when (error.Errno is Libc.ENOENT or Libc.EINVAL or Libc.ENODEV)
        {
            // Removed by someone else, or the qdisc/interface is gone: the program is no longer attached either way.
        }
        _attached = false;
        ProgramId = 0;
    }

    /// <summary>Deletes the filter (when <see cref="DetachOnDispose"/>) and closes the netlink socket.</summary>
    public void Dispose()
    {
        try
        {
            if (DetachOnDispose) Detach();
        }
        catch (NetlinkException)
        {
            // Best effort on dispose: the namespace may already be gone.
        }
        finally
        {
            _socket.Dispose();
        }
    }

    /// <summary>What `tc filter show` prints as the filter's name: the program's name, like tc's "file:[section]".</summary>
    private static string FilterName(BpfProgramInfo identity) => identity.Name.Length > 0 ? identity.Name : $"prog{identity.Id}";

    private static BpfAttachException Explain(NetlinkException error, NetlinkSocket socket, int interfaceIndex, string where,
        TcDirection direction, ushort priority, uint handle)
    {
        string hook = $"TC {direction.ToString().ToLowerInvariant()} of {where}";
        if (error.Errno == Libc.ENODEV)
            return new BpfAttachException(AttachFailure.InterfaceNotFound, error.Errno, $"interface {where} does not exist ({error.Message})", error)
            { KernelMessage = error.KernelMessage };
        if (error.Errno == Libc.EEXIST)
        {
            var occupant = SafeList(socket, interfaceIndex, direction).FirstOrDefault(f => f.Priority == priority && f.Handle == handle);
            string who = occupant is null ? "another filter" : $"program {ProgramLookup.Describe(occupant.ProgramId)}";
            return new BpfAttachException(AttachFailure.HookOccupied, error.Errno,
                $"{hook}: priority {priority} handle {handle} is taken by {who}; replace it or choose another priority/handle ({error.Message})", error)
            {
                AttachedProgramId = occupant?.ProgramId, AttachedProgramName = occupant?.Name, KernelMessage = error.KernelMessage,
            };
        }
        var reason = error.Errno is Libc.EPERM or Libc.EACCES ? AttachFailure.PermissionDenied : AttachFailure.Other;
        return new BpfAttachException(reason, error.Errno, $"attaching to {hook} failed ({error.Message})", error) { KernelMessage = error.KernelMessage };
    }

    private static List<TcFilterInfo> SafeList(NetlinkSocket socket, int interfaceIndex, TcDirection direction)
    {
        try
        {
            return TcNetlink.ListFilters(socket, interfaceIndex, direction);
        }
        catch (NetlinkException)
        {
            return [];
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"TC filter on '{_interfaceName}' {Direction} priority {Priority} handle {Handle} (program {ProgramId})";
}
