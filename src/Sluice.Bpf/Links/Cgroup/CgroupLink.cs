using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// A cgroup program attached through a bpf_link (Linux 5.7): it runs for every process in the cgroup and its
/// descendants, alongside other programs on the same hook (multi-attach), until the last fd or pin goes.
/// </summary>
public sealed class CgroupLink : BpfLink
{
    internal CgroupLink(BpfFd fd, LinkDetails info) : base(fd, info) => AttachType = info.AttachType ?? default;

    /// <summary>The cgroup hook (e.g. <see cref="BpfAttachType.CgroupSockOps"/>).</summary>
    public BpfAttachType AttachType { get; }

    /// <inheritdoc />
    public override AttachmentKind Kind => AttachmentKind.CgroupLink;

    /// <summary>Attaches <paramref name="program"/> to the cgroup at <paramref name="cgroupPath"/> through a link.</summary>
    public static CgroupLink Attach(BpfProgram program, string cgroupPath, BpfAttachType attachType) =>
        Attach(program?.Fd!, cgroupPath, attachType);

    /// <summary>Attaches <paramref name="program"/> to the cgroup at <paramref name="cgroupPath"/> through a link (Linux 5.7).</summary>
    /// <param name="program">A program whose type matches the hook (SockOps for CgroupSockOps, CgroupSkb for ingress/egress, ...).</param>
    /// <param name="cgroupPath">A cgroup v2 directory, e.g. /sys/fs/cgroup/unified/my-service.</param>
    /// <param name="attachType">The hook.</param>
    /// <exception cref="DirectoryNotFoundException">No such cgroup.</exception>
    /// <exception cref="BpfAttachException">The kernel refused (wrong program type for the hook, no cgroup links).</exception>
    public static CgroupLink Attach(BpfFd program, string cgroupPath, BpfAttachType attachType)
    {
        ArgumentNullException.ThrowIfNull(program);
        using var cgroup = CgroupDirectory.Open(cgroupPath);
        var attr = new LinkCreateAttr
        {
            ProgFd = (uint)program.Value,
            Target = (uint)CgroupDirectory.Fd(cgroup),
            AttachType = (uint)attachType,
        };
        int fd = BpfSyscall.TryInvoke(BpfCommand.LinkCreate, ref attr, out int errno);
        if (fd < 0) throw CgroupErrors.Explain(errno, program, cgroupPath, attachType, "BPF_LINK_CREATE");
#pragma warning disable CA2000 // the catch below closes it when the link cannot be made; otherwise the link owns it
        var handle = new BpfFd(fd);
#pragma warning restore CA2000
        try
        {
            return new CgroupLink(handle, ReadInfo(handle)) { CreatedHere = true };
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"cgroup link {Id} ({AttachType}, program {ProgramId})";
}
