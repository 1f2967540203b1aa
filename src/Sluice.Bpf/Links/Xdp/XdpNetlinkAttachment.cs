using Sluice.Bpf.Net.Netlink;
using static Sluice.Bpf.Net.Netlink.Rtnl;

namespace Sluice.Bpf;

/// <summary>
/// An XDP program attached through netlink IFLA_XDP (Linux 4.8), the path that predates bpf_link. The kernel keeps
/// such an attachment with nobody holding it, so this object detaches on dispose unless <see cref="DetachOnDispose"/>
/// is cleared. Replacement and detachment name the program expected in the slot (XDP_FLAGS_REPLACE, Linux 5.7),
/// so a program someone else put there in the meantime is never removed by mistake.
/// </summary>
public sealed class XdpNetlinkAttachment : IBpfAttachment
{
    private readonly NetlinkSocket _socket;
    private readonly string _interfaceName;
    private BpfFd? _current;

    private XdpNetlinkAttachment(NetlinkSocket socket, int interfaceIndex, string interfaceName, XdpMode mode, BpfFd current, uint programId)
    {
        _socket = socket;
        InterfaceIndex = interfaceIndex;
        _interfaceName = interfaceName;
        Mode = mode;
        _current = current;
        ProgramId = programId;
    }

    /// <summary>The interface index.</summary>
    public int InterfaceIndex { get; }

    /// <summary>The mode the program runs in (never <see cref="XdpMode.BestAvailable"/>).</summary>
    public XdpMode Mode { get; }

    /// <inheritdoc />
    public AttachmentKind Kind => AttachmentKind.XdpNetlink;

    /// <inheritdoc />
    public uint ProgramId { get; private set; }

    /// <summary>Whether <see cref="Dispose"/> detaches the program (default true); clear it to leave the program running.</summary>
    public bool DetachOnDispose { get; set; } = true;

    /// <summary>Attaches <paramref name="program"/> through netlink; see the fd overload.</summary>
    public static XdpNetlinkAttachment Attach(BpfProgram program, string interfaceName, XdpMode mode = XdpMode.BestAvailable,
        NetworkNamespace? netns = null, bool replaceExisting = false) =>
        Attach(program?.Fd!, interfaceName, mode, netns, replaceExisting);

    /// <summary>Attaches through netlink. With <paramref name="replaceExisting"/> an attached program (not a link's) is replaced.</summary>
    /// <exception cref="BpfAttachException">Names the cause, including the program already attached.</exception>
    public static XdpNetlinkAttachment Attach(BpfFd program, string interfaceName, XdpMode mode = XdpMode.BestAvailable,
        NetworkNamespace? netns = null, bool replaceExisting = false)
    {
        int index = InterfaceResolver.ResolveIn(interfaceName, netns);
        return Attach(program, index, interfaceName, mode, netns, replaceExisting);
    }

    internal static XdpNetlinkAttachment Attach(BpfFd program, int interfaceIndex, string interfaceName, XdpMode mode,
        NetworkNamespace? netns, bool replaceExisting)
    {
        XdpErrors.CheckProgramType(program, interfaceName, netns);
        var socket = NetlinkSocket.Open(netns);
        try
        {
            uint flags = (uint)mode | (replaceExisting ? 0 : XDP_FLAGS_UPDATE_IF_NOEXIST);
            try
            {
                XdpNetlink.Set(socket, interfaceIndex, program.Value, flags);
            }
            catch (NetlinkException error)
            {
                throw XdpErrors.Explain(error.Errno, error.KernelMessage, interfaceIndex, interfaceName, mode, netns, "RTM_SETLINK IFLA_XDP", error, socket);
            }
            var identity = ProgramLookup.Of(program);
            var actual = mode;
            if (mode == XdpMode.BestAvailable)
            {
                actual = XdpNetlink.Query(socket, interfaceIndex).ModeOf(identity.Id) ?? XdpMode.Offload;
            }
            // Our own fd for the program: the caller may close theirs, and replace/detach must name it.
            var current = ProgramLookup.TryOpen(identity.Id) ?? throw new InvalidOperationException($"program {identity.Id} vanished while attaching");
            return new XdpNetlinkAttachment(socket, interfaceIndex, interfaceName, actual, current, identity.Id);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Replaces the program atomically, provided ours is still the one attached (XDP_FLAGS_REPLACE, Linux 5.7).</summary>
    /// <exception cref="BpfAttachException"><see cref="AttachFailure.ExpectedProgramMismatch"/> when someone else changed it.</exception>
    public void Update(BpfFd program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var current = _current ?? throw new InvalidOperationException("the program was detached");
        XdpErrors.CheckProgramType(program, _interfaceName, null);
        try
        {
            XdpNetlink.Set(_socket, InterfaceIndex, program.Value, (uint)Mode | XDP_FLAGS_REPLACE, current.Value);
        }
        catch (NetlinkException error)
        {
            throw Mismatch(error) ?? XdpErrors.Explain(error.Errno, error.KernelMessage, InterfaceIndex, _interfaceName, Mode, null, "RTM_SETLINK IFLA_XDP", error, _socket);
        }
        var identity = ProgramLookup.Of(program);
        var replacement = ProgramLookup.TryOpen(identity.Id) ?? throw new InvalidOperationException($"program {identity.Id} vanished");
        current.Dispose();
        _current = replacement;
        ProgramId = identity.Id;
    }

    /// <summary>Netlink attachments cannot be pinned: they persist on their own. Clear <see cref="DetachOnDispose"/> instead.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public void Pin(string path) =>
        throw new NotSupportedException("a netlink XDP attachment cannot be pinned; it stays attached by itself when DetachOnDispose is false " +
            "(use XdpAttachMethod.Link for a pinnable attachment)");

    /// <summary>Detaches the program, provided it is still ours.</summary>
    public void Detach()
    {
        if (_current is not { } current) return;
        try
        {
            XdpNetlink.Set(_socket, InterfaceIndex, -1, (uint)Mode | XDP_FLAGS_REPLACE, current.Value);
        }
        catch (NetlinkException error)
        {
            throw Mismatch(error) ?? XdpErrors.Explain(error.Errno, error.KernelMessage, InterfaceIndex, _interfaceName, Mode, null, "RTM_SETLINK IFLA_XDP", error, _socket);
        }
        current.Dispose();
        _current = null;
        ProgramId = 0;
    }

    private BpfAttachException? Mismatch(NetlinkException error) =>
        error.Errno == Interop.Libc.EEXIST && error.KernelMessage?.Contains("does not match", StringComparison.Ordinal) == true
            ? new BpfAttachException(AttachFailure.ExpectedProgramMismatch, error.Errno,
                $"XDP on '{_interfaceName}' no longer runs program {ProgramId}; someone replaced or removed it ({error.Message})", error)
            { KernelMessage = error.KernelMessage }
            : null;

    /// <summary>Detaches (when <see cref="DetachOnDispose"/>) and closes the netlink socket.</summary>
    public void Dispose()
    {
        try
        {
            if (DetachOnDispose) Detach();
        }
        catch (BpfAttachException)
        {
            // Someone else owns the slot now; leaving their program alone is the point of the expected-fd check.
        }
        catch (NetlinkException)
        {
            // The interface may be gone with its namespace; nothing is left to detach.
        }
        finally
        {
            _current?.Dispose();
            _current = null;
            _socket.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"XDP (netlink) on '{_interfaceName}' ({Mode}, program {ProgramId})";
}
