using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// An sk_msg or sk_skb program attached to a SOCKMAP/SOCKHASH with BPF_PROG_ATTACH (Linux 4.17). The map keeps the
/// program while the map lives; this object detaches it on dispose unless <see cref="ProgramAttachAttachment.DetachOnDispose"/> is cleared.
/// A socket takes the map's programs when it is added to the map: attaching or detaching changes what happens to
/// sockets added afterwards, not to those already in it.
/// </summary>
public sealed class SockmapProgramAttachment : ProgramAttachAttachment
{
    private readonly BpfFd _map;

    private SockmapProgramAttachment(BpfFd map, BpfAttachType attachType, BpfFd program, uint programId)
        : base(attachType, program, programId) => _map = map;

    /// <inheritdoc />
    public override AttachmentKind Kind => AttachmentKind.SockmapProgram;

    /// <summary>Attaches with BPF_PROG_ATTACH on the map.</summary>
    /// <exception cref="BpfAttachException">The kernel refused; the message names the cause.</exception>
    public static SockmapProgramAttachment Attach(BpfFd program, BpfMap map, BpfAttachType attachType)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(map);
        Sockmap.CheckMap(map);
        var attr = new ProgAttachAttr { TargetFd = (uint)map.Fd.Value, AttachBpfFd = (uint)program.Value, AttachType = (uint)attachType };
        if (BpfSyscall.TryInvoke(BpfCommand.ProgAttach, ref attr, out int errno) < 0)
            throw Sockmap.Explain(errno, program, map, attachType, "BPF_PROG_ATTACH");
        uint id = ProgramLookup.Of(program).Id;
        // Own references to map and program: detaching later needs both, whatever the caller disposes meanwhile.
        var ownProgram = ProgramLookup.TryOpen(id) ?? throw new InvalidOperationException($"program {id} vanished while attaching");
        var ownMap = ObjectInfo.TryOpenById(BpfCommand.MapGetFdById, BpfMapInfo.FromFd(map.Fd).Id) ?? throw new InvalidOperationException("the map vanished while attaching");
        return new SockmapProgramAttachment(ownMap, attachType, ownProgram, id);
    }

    /// <summary>The map holds one program per hook, so attaching another replaces it.</summary>
    private protected override void ReplaceCore(BpfFd current, BpfFd replacement)
    {
        var attr = new ProgAttachAttr { TargetFd = (uint)_map.Value, AttachBpfFd = (uint)replacement.Value, AttachType = (uint)AttachType };
        if (BpfSyscall.TryInvoke(BpfCommand.ProgAttach, ref attr, out int errno) < 0)
            throw new BpfAttachException(AttachFailure.Other, errno, $"replacing the {AttachType} program of a socket map failed: " +
                $"BPF_PROG_ATTACH: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})");
    }

    private protected override string PinAdvice =>
        "a BPF_PROG_ATTACH socket-map attachment cannot be pinned; pin the map (it keeps its programs) " +
        "and clear DetachOnDispose, or use a SockmapLink";

    private protected override void DetachCore(BpfFd program)
    {
        var attr = new ProgAttachAttr { TargetFd = (uint)_map.Value, AttachBpfFd = (uint)program.Value, AttachType = (uint)AttachType };
        if (BpfSyscall.TryInvoke(BpfCommand.ProgDetach, ref attr, out int errno) < 0 && errno != Libc.ENOENT)
            throw BpfException.FromErrno(BpfCommand.ProgDetach, errno, $"socket map hook {AttachType}");
    }

    /// <summary>Detaches (when <see cref="ProgramAttachAttachment.DetachOnDispose"/>), then releases the map reference too.</summary>
    protected override void Dispose(bool disposing)
    {
        try
        {
            base.Dispose(disposing);
        }
        finally
        {
            if (disposing) _map.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"socket map {AttachType} (program {ProgramId}, BPF_PROG_ATTACH)";
}
