using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// A cgroup program attached with BPF_PROG_ATTACH and BPF_F_ALLOW_MULTI (Linux 4.15), the path that predates
/// cgroup links. The kernel keeps it with nobody holding it, so this object detaches on dispose unless
/// <see cref="DetachOnDispose"/> is cleared.
/// </summary>
public sealed class CgroupProgramAttachment : IBpfAttachment
{
    private readonly string _cgroupPath;
    private BpfFd? _program;

    private CgroupProgramAttachment(string cgroupPath, BpfAttachType attachType, BpfFd program, uint programId)
    {
        _cgroupPath = cgroupPath;
        AttachType = attachType;
        _program = program;
        ProgramId = programId;
    }

    /// <summary>The cgroup hook.</summary>
    public BpfAttachType AttachType { get; }

    /// <inheritdoc />
    public AttachmentKind Kind => AttachmentKind.CgroupProgram;

    /// <inheritdoc />
    public uint ProgramId { get; private set; }

    /// <summary>Whether <see cref="Dispose"/> detaches the program (default true).</summary>
    public bool DetachOnDispose { get; set; } = true;

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

    /// <summary>Replaces the program atomically (BPF_PROG_ATTACH with BPF_F_REPLACE, Linux 5.6).</summary>
    public void Update(BpfFd program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var current = _program ?? throw new InvalidOperationException("the program was detached");
        using var cgroup = CgroupDirectory.Open(_cgroupPath);
        var attr = new ProgAttachAttr
        {
            TargetFd = (uint)CgroupDirectory.Fd(cgroup),
            AttachBpfFd = (uint)program.Value,
            AttachType = (uint)AttachType,
            AttachFlags = BpfLinkFlags.AllowMulti | BpfLinkFlags.Replace,
            ReplaceBpfFd = (uint)current.Value,
        };
        if (BpfSyscall.TryInvoke(BpfCommand.ProgAttach, ref attr, out int errno) < 0)
            throw CgroupErrors.Explain(errno, program, _cgroupPath, AttachType, "BPF_PROG_ATTACH (replace)");
        uint id = ProgramLookup.Of(program).Id;
        _program = ProgramLookup.TryOpen(id) ?? throw new InvalidOperationException($"program {id} vanished");
        current.Dispose();
        ProgramId = id;
    }

    /// <summary>Programs attached with BPF_PROG_ATTACH cannot be pinned; they stay attached by themselves.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public void Pin(string path) =>
        throw new NotSupportedException("a BPF_PROG_ATTACH cgroup attachment cannot be pinned; it stays attached by itself when DetachOnDispose is false " +
            "(use CgroupAttachMethod.Link for a pinnable attachment)");

    /// <summary>Detaches the program (BPF_PROG_DETACH); one that is already gone is not an error.</summary>
    public void Detach()
    {
        if (_program is not { } current) return;
        try
        {
            using var cgroup = CgroupDirectory.Open(_cgroupPath);
            var attr = new ProgAttachAttr
            {
                TargetFd = (uint)CgroupDirectory.Fd(cgroup),
                AttachBpfFd = (uint)current.Value,
                AttachType = (uint)AttachType,
            };
            if (BpfSyscall.TryInvoke(BpfCommand.ProgDetach, ref attr, out int errno) < 0 && errno != Libc.ENOENT)
                throw BpfException.FromErrno(BpfCommand.ProgDetach, errno, $"cgroup '{_cgroupPath}' hook {AttachType}");
        }
        catch (DirectoryNotFoundException)
        {
            // The cgroup is gone, and its programs with it.
        }
        current.Dispose();
        _program = null;
        ProgramId = 0;
    }

    /// <summary>Detaches (when <see cref="DetachOnDispose"/>) and releases the program reference.</summary>
    public void Dispose()
    {
        try
        {
            if (DetachOnDispose) Detach();
        }
        finally
        {
            _program?.Dispose();
            _program = null;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"cgroup '{_cgroupPath}' {AttachType} (program {ProgramId}, BPF_PROG_ATTACH)";
}
