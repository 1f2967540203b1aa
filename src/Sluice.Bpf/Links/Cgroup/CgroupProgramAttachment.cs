using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// A cgroup program attached with BPF_PROG_ATTACH and BPF_F_ALLOW_MULTI (Linux 4.15), the path that predates
/// cgroup links. The kernel keeps it with nobody holding it, so this object detaches on dispose unless
/// <see cref="ProgramAttachAttachment.DetachOnDispose"/> is cleared.
/// </summary>
public sealed class CgroupProgramAttachment : ProgramAttachAttachment
{
    private readonly string _cgroupPath;

    private CgroupProgramAttachment(string cgroupPath, BpfAttachType attachType, BpfFd program, uint programId)
        : base(attachType, program, programId) => _cgroupPath = cgroupPath;

    /// <inheritdoc />
    public override AttachmentKind Kind => AttachmentKind.CgroupProgram;

    /// <summary>Attaches with BPF_PROG_ATTACH and BPF_F_ALLOW_MULTI.</summary>
    /// <exception cref="BpfAttachException">The kernel refused.</exception>
    public static CgroupProgramAttachment Attach(BpfFd program, string cgroupPath, BpfAttachType attachType)
    {
        ArgumentNullException.ThrowIfNull(program);
        using var cgroup = CgroupDirectory.Open(cgroupPath);
        var attr = new ProgAttachAttr
        {
            TargetFd = (uint)CgroupDirectory.Fd(cgroup),
            AttachBpfFd = (uint)program.Value,
            AttachType = (uint)attachType,
            AttachFlags = BpfLinkFlags.AllowMulti,
        };
        if (BpfSyscall.TryInvoke(BpfCommand.ProgAttach, ref attr, out int errno) < 0)
            throw CgroupErrors.Explain(errno, program, cgroupPath, attachType, "BPF_PROG_ATTACH");
        uint id = ProgramLookup.Of(program).Id;
        var own = ProgramLookup.TryOpen(id) ?? throw new InvalidOperationException($"program {id} vanished while attaching");
        return new CgroupProgramAttachment(cgroupPath, attachType, own, id);
    }

    /// <summary>Replaces atomically: BPF_PROG_ATTACH with BPF_F_REPLACE (Linux 5.6).</summary>
    private protected override void ReplaceCore(BpfFd current, BpfFd replacement)
    {
        using var cgroup = CgroupDirectory.Open(_cgroupPath);
        var attr = new ProgAttachAttr
        {
            TargetFd = (uint)CgroupDirectory.Fd(cgroup),
            AttachBpfFd = (uint)replacement.Value,
            AttachType = (uint)AttachType,
            AttachFlags = BpfLinkFlags.AllowMulti | BpfLinkFlags.Replace,
            ReplaceBpfFd = (uint)current.Value,
        };
        if (BpfSyscall.TryInvoke(BpfCommand.ProgAttach, ref attr, out int errno) < 0)
            throw CgroupErrors.Explain(errno, replacement, _cgroupPath, AttachType, "BPF_PROG_ATTACH (replace)");
    }

    private protected override string PinAdvice =>
        "a BPF_PROG_ATTACH cgroup attachment cannot be pinned; it stays attached by itself when DetachOnDispose is false " +
        "(use CgroupAttachMethod.Link for a pinnable attachment)";

    private protected override void DetachCore(BpfFd program)
    {
        try
        {
            using var cgroup = CgroupDirectory.Open(_cgroupPath);
            var attr = new ProgAttachAttr
            {
                TargetFd = (uint)CgroupDirectory.Fd(cgroup),
                AttachBpfFd = (uint)program.Value,
                AttachType = (uint)AttachType,
            };
            if (BpfSyscall.TryInvoke(BpfCommand.ProgDetach, ref attr, out int errno) < 0 && errno != Libc.ENOENT)
                throw BpfException.FromErrno(BpfCommand.ProgDetach, errno, $"cgroup '{_cgroupPath}' hook {AttachType}");
        }
        catch (DirectoryNotFoundException)
        {
            // The cgroup is gone, and its programs with it.
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"cgroup '{_cgroupPath}' {AttachType} (program {ProgramId}, BPF_PROG_ATTACH)";
}
