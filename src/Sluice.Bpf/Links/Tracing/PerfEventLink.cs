using Sluice.Bpf.Features;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// A program attached to a perf event (a tracepoint, kprobe or uprobe) through a bpf_link (Linux 5.15). The link
/// holds the perf event, so a pinned link keeps the probe alive after this process exits.
/// </summary>
public sealed class PerfEventLink : BpfLink
{
    internal PerfEventLink(BpfFd fd, LinkDetails info, string target) : base(fd, info) => Target = target;

    /// <summary>What the link probes, e.g. "tracepoint sock:inet_sock_set_state" ("" when reopened from a pin or id).</summary>
    public string Target { get; }

    /// <inheritdoc />
    public override AttachmentKind Kind => AttachmentKind.PerfEventLink;

    /// <summary>
    /// Attaches <paramref name="program"/> to the perf event <paramref name="perfEventFd"/> with BPF_LINK_CREATE
    /// (attach type BPF_PERF_EVENT) and closes the perf event fd, which the link now holds.
    /// </summary>
    internal static PerfEventLink Create(BpfFd program, BpfProgramInfo identity, int perfEventFd, string target)
    {
        try
        {
            var attr = new LinkCreateAttr
            {
                ProgFd = (uint)program.Value,
                Target = (uint)perfEventFd,
                AttachType = (uint)BpfAttachType.PerfEvent,
            };
            int fd = BpfSyscall.TryInvoke(BpfCommand.LinkCreate, ref attr, out int errno);
            if (fd < 0)
            {
                if (errno == Libc.EINVAL && BpfFeatures.Attachment(AttachmentKind.PerfEventLink) == FeatureSupport.Unsupported)
                    throw new BpfNotSupportedException("perf event bpf_link", "5.15");
                throw TracingErrors.Explain(errno, identity, target, "BPF_LINK_CREATE");
            }
#pragma warning disable CA2000 // the link owns the handle; the catch disposes it when the link cannot be made
            var handle = new BpfFd(fd);
#pragma warning restore CA2000
            try
            {
                return new PerfEventLink(handle, ReadInfo(handle), target) { CreatedHere = true };
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }
        finally
        {
            Libc.Close(perfEventFd);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"perf event link {Id} ({Target}, program {ProgramId})";
}
