using System.Runtime.InteropServices;
using System.Text;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// A bpf_link (Linux 5.7): the kernel object that keeps a program attached for as long as someone holds it, an fd
/// in this process or a pin on bpffs. Closing the last reference detaches the program. Subclasses add what each
/// hook knows (<see cref="XdpLink"/>, <see cref="TcxLink"/>).
/// </summary>
public class BpfLink : IBpfAttachment
{
    /// <summary>Wraps a link fd this object now owns.</summary>
    internal BpfLink(BpfFd fd, LinkDetails info)
    {
        Fd = fd;
        Id = info.Id;
        Type = info.Type;
        _programId = info.ProgramId;
    }

    private uint _programId;

    /// <summary>The link's fd.</summary>
    public BpfFd Fd { get; }

    /// <summary>The kernel's link id.</summary>
    public uint Id { get; }

    /// <summary>The link type.</summary>
    public BpfLinkType Type { get; }

    /// <summary>Where this object pinned the link, or null.</summary>
    public string? PinPath { get; private set; }

    /// <inheritdoc />
    public virtual AttachmentKind Kind => AttachmentKind.OtherLink;

    /// <inheritdoc />
    public uint ProgramId => _programId;

    /// <summary>Replaces the link's program atomically (BPF_LINK_UPDATE, Linux 5.7; XDP links 5.9, TCX 6.6).</summary>
    /// <param name="program">The new program; must have the type the hook expects.</param>
    /// <exception cref="BpfAttachException">The kernel refused (e.g. wrong program type, link detached).</exception>
    public void Update(BpfFd program) => Update(program, expected: null);

    /// <summary>
    /// Replaces the link's program only if <paramref name="expected"/> is still the one attached (BPF_F_REPLACE);
    /// otherwise fails with <see cref="AttachFailure.ExpectedProgramMismatch"/>.
    /// </summary>
    public void Update(BpfFd program, BpfFd? expected)
    {
        ArgumentNullException.ThrowIfNull(program);
        var attr = new LinkUpdateAttr { LinkFd = (uint)Fd.Value, NewProgFd = (uint)program.Value };
        if (expected is not null)
        {
            attr.Flags = BpfLinkFlags.Replace;
            attr.OldProgFd = (uint)expected.Value;
        }
        if (BpfSyscall.TryInvoke(BpfCommand.LinkUpdate, ref attr, out int errno) < 0)
            throw UpdateFailure(program, errno);
        _programId = ProgramLookup.Of(program).Id;
    }

    private BpfAttachException UpdateFailure(BpfFd program, int errno)
    {
        var identity = ProgramLookup.Of(program);
        var (reason, why) = errno switch
        {
            Libc.EPERM when ProgramLookup.Find(_programId) is { } current && current.Type != identity.Type =>
                (AttachFailure.WrongProgramType, $"program {ProgramLookup.Describe(identity)} cannot replace {ProgramLookup.Describe(current)}: the types differ"),
            Libc.EPERM => (AttachFailure.ExpectedProgramMismatch, "the expected program is no longer attached"),
            Libc.EINVAL => (AttachFailure.WrongProgramType, $"the kernel refused program {ProgramLookup.Describe(identity)} for this hook"),
            Libc.ENOLINK => (AttachFailure.Other, "the link is already detached"),
            _ => (AttachFailure.Other, "the kernel refused the update"),
        };
        return new BpfAttachException(reason, errno,
            $"link {Id} ({Type}): {why}: BPF_LINK_UPDATE failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})");
    }

    /// <summary>
    /// Pins the link at <paramref name="path"/> on bpffs (BPF_OBJ_PIN) so it outlives this process; another process
    /// can then open it with <see cref="OpenPinned"/>, update it, detach it, or unpin it.
    /// </summary>
    /// <exception cref="BpfException">Something is pinned there already, or the path is not on bpffs.</exception>
    public void Pin(string path)
    {
        BpfPin.Pin(Fd, path);
        PinPath = path;
    }

    /// <summary>Removes the pin this object made (or the one at <paramref name="path"/>); the link lives on while fds exist.</summary>
    public void Unpin(string? path = null)
    {
        string target = path ?? PinPath ?? throw new InvalidOperationException($"link {Id} is not pinned by this object");
        File.Delete(target);
        if (target == PinPath) PinPath = null;
    }

    /// <summary>
    /// Detaches the program now even though pins or other fds still reference the link (BPF_LINK_DETACH, Linux 5.9).
    /// The link object remains, defunct, until its last reference goes.
    /// </summary>
    /// <exception cref="BpfNotSupportedException">The kernel cannot force-detach this link type (perf event links,
    /// for example): remove its pins and close its fds instead.</exception>
    public void Detach()
    {
        var attr = new LinkDetachAttr { LinkFd = (uint)Fd.Value };
        if (BpfSyscall.TryInvoke(BpfCommand.LinkDetach, ref attr, out int errno) < 0 && errno != Libc.ENOLINK)
        {
            if (errno == Libc.EOPNOTSUPP)
                throw new BpfNotSupportedException($"forced detach (BPF_LINK_DETACH) of {Type} links", "5.9",
                    $"the kernel cannot detach a {Type} link while it is held; link {Id} goes away when its pins are removed and its fds closed");
            throw BpfException.FromErrno(BpfCommand.LinkDetach, errno, $"link {Id} ({Type})");
        }
        _programId = 0;
    }

    /// <summary>Reads the link's current state from the kernel.</summary>
    public BpfLinkInfo GetInfo() => BpfLinkInfo.FromFd(Fd);

    /// <summary>
    /// Opens a pinned link (BPF_OBJ_GET), e.g. one another process pinned, and returns the most specific type
    /// (<see cref="XdpLink"/>, <see cref="TcxLink"/>, <see cref="PerfEventLink"/>, ..., else <see cref="BpfLink"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing is pinned at <paramref name="path"/>.</exception>
    /// <exception cref="BpfException">The pinned object is not a link.</exception>
    public static BpfLink OpenPinned(string path)
    {
        var link = FromFd(BpfPin.Open(path), path);
        link.PinPath = path;
        return link;
    }

    /// <summary>Opens link <paramref name="id"/> (BPF_LINK_GET_FD_BY_ID, Linux 5.8).</summary>
    public static BpfLink FromId(uint id)
    {
        var attr = new GetIdAttr { Id = id };
        int fd = BpfSyscall.TryInvoke(BpfCommand.LinkGetFdById, ref attr, out int errno);
        if (fd < 0) throw BpfException.FromErrno(BpfCommand.LinkGetFdById, errno, $"link {id}");
        return FromFd(new BpfFd(fd), $"link {id}");
    }

    /// <summary>Ids of the links of <paramref name="type"/> that currently run program <paramref name="programId"/>.</summary>
    internal static List<uint> FindByProgram(BpfLinkType type, uint programId) =>
        [.. BpfLinkInfo.All().Where(link => link.Type == type && link.ProgramId == programId).Select(link => link.Id)];

    private static BpfLink FromFd(BpfFd fd, string what)
    {
        try
        {
            var info = ReadInfo(fd);
            return info.Type switch
            {
                BpfLinkType.Xdp => new XdpLink(fd, info),
                BpfLinkType.Tcx => new TcxLink(fd, info),
                BpfLinkType.Cgroup => new CgroupLink(fd, info),
                BpfLinkType.Sockmap => new SockmapLink(fd, info, info.AttachType ?? default),
                BpfLinkType.PerfEvent => new PerfEventLink(fd, info, ""),
                BpfLinkType.RawTracepoint => new RawTracepointLink(fd, info),
                BpfLinkType.Tracing => new TracingLink(fd, info),
                BpfLinkType.KprobeMulti => new KprobeMultiLink(fd, info),
                BpfLinkType.Unspecified => throw new BpfException("BPF_OBJ_GET_INFO_BY_FD", Libc.EINVAL, $"{what} is not a link"),
                _ => new BpfLink(fd, info),
            };
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    internal static unsafe LinkDetails ReadInfo(BpfFd fd)
    {
        var info = default(LinkInfoStruct);
        var attr = new ObjInfoAttr { BpfFd = (uint)fd.Value, InfoLen = (uint)sizeof(LinkInfoStruct), Info = (ulong)&info };
        if (BpfSyscall.TryInvoke(BpfCommand.ObjGetInfoByFd, ref attr, out int errno) < 0)
            throw BpfException.FromErrno(BpfCommand.ObjGetInfoByFd, errno, "reading link info");
        var type = (BpfLinkType)info.Type;
        var union = new ReadOnlySpan<byte>(info.Union, 64);
        uint word0 = MemoryMarshal.Read<uint>(union);
        uint word1 = MemoryMarshal.Read<uint>(union[4..]);
        return type switch
        {
            BpfLinkType.Xdp => new LinkDetails(info.Id, type, info.ProgId, (int)word0, BpfAttachType.Xdp),
            BpfLinkType.Tcx => new LinkDetails(info.Id, type, info.ProgId, (int)word0, (BpfAttachType)word1),
            BpfLinkType.Cgroup => new LinkDetails(info.Id, type, info.ProgId, null, (BpfAttachType)MemoryMarshal.Read<uint>(union[8..])),
            BpfLinkType.Sockmap => new LinkDetails(info.Id, type, info.ProgId, null, (BpfAttachType)word1),
            _ => new LinkDetails(info.Id, type, info.ProgId, null, null),
        };
    }

    /// <summary>Closes this process's fd; the program stays attached only if the link is pinned or held elsewhere.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>True for links this process created by attaching (not opened from a pin or an id).</summary>
    internal bool CreatedHere { get; init; }

    /// <summary>
    /// Releases the fd. A link this process created and did not pin is detached first: closing the last fd
    /// would detach it too, but the kernel frees links from a workqueue, so without an explicit detach the
    /// program can stay attached for a while after Dispose returns.
    /// </summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing || Fd.IsClosed) return;
        if (CreatedHere && PinPath is null)
        {
            var attr = new LinkDetachAttr { LinkFd = (uint)Fd.Value };
            _ = BpfSyscall.TryInvoke(BpfCommand.LinkDetach, ref attr, out _);
        }
        Fd.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"link {Id} ({Type}, program {ProgramId})";
}

/// <summary>The parts of struct bpf_link_info that typed links need (the attach type tells TCX directions apart).</summary>
internal readonly record struct LinkDetails(uint Id, BpfLinkType Type, uint ProgramId, int? InterfaceIndex, BpfAttachType? AttachType);

/// <summary>Attach and link-update flags of bpf_attr (BPF_F_*).</summary>
internal static class BpfLinkFlags
{
    internal const uint AllowOverride = 1u << 0;
    internal const uint AllowMulti = 1u << 1;
    internal const uint Replace = 1u << 2;
    internal const uint Before = 1u << 3;
    internal const uint After = 1u << 4;
    internal const uint Id = 1u << 5;
    internal const uint Link = 1u << 13;
}
