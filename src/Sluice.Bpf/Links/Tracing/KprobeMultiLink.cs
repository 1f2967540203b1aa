namespace Sluice.Bpf;

/// <summary>A Kprobe program attached to many kernel functions through one kprobe-multi bpf_link (Linux 5.18).</summary>
public sealed class KprobeMultiLink : BpfLink
{
    internal KprobeMultiLink(BpfFd fd, LinkDetails info) : base(fd, info)
    {
    }

    /// <inheritdoc />
    public override AttachmentKind Kind => AttachmentKind.KprobeMultiLink;
}
