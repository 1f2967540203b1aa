using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// An sk_msg or sk_skb program attached to a SOCKMAP/SOCKHASH through a bpf_link (Linux 6.10): it runs for the
/// sockets in the map until the last fd or pin of the link goes.
/// A socket takes the map's programs when it is added to the map: attaching or detaching changes what happens to
/// sockets added afterwards, not to those already in it.
/// </summary>
public sealed class SockmapLink : BpfLink
{
    internal SockmapLink(BpfFd fd, LinkDetails info, BpfAttachType attachType) : base(fd, info) => AttachType = attachType;

    /// <summary>The hook: SkMsgVerdict, SkSkbStreamParser, SkSkbStreamVerdict or SkSkbVerdict.</summary>
    public BpfAttachType AttachType { get; }

    /// <inheritdoc />
    public override AttachmentKind Kind => AttachmentKind.SockmapLink;

    /// <summary>Attaches <paramref name="program"/> to <paramref name="map"/> through a link (Linux 6.10).</summary>
    /// <exception cref="BpfAttachException">The kernel refused (wrong program type, map is not a socket map, slot taken).</exception>
    public static SockmapLink Attach(BpfFd program, BpfMap map, BpfAttachType attachType)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(map);
        Sockmap.CheckMap(map);
        var attr = new LinkCreateAttr { ProgFd = (uint)program.Value, Target = (uint)map.Fd.Value, AttachType = (uint)attachType };
        int fd = BpfSyscall.TryInvoke(BpfCommand.LinkCreate, ref attr, out int errno);
        if (fd < 0) throw Sockmap.Explain(errno, program, map, attachType, "BPF_LINK_CREATE");
        var handle = new BpfFd(fd);
        try
        {
            return new SockmapLink(handle, ReadInfo(handle), attachType) { CreatedHere = true };
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"sockmap link {Id} ({AttachType}, program {ProgramId})";
}
