using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// cgroup v2 attach and query for every cgroup hook (sock_ops, cgroup_skb, cgroup/sock*, sock_addr, sysctl, ...).
/// <see cref="Attach(BpfFd, string, BpfAttachType, CgroupAttachMethod)"/> prefers a bpf_link (Linux 5.7) and falls
/// back to BPF_PROG_ATTACH with BPF_F_ALLOW_MULTI.
/// </summary>
public static class Cgroup
{
    private const int MaxPrograms = 64;

    /// <summary>The cgroup v2 mount: /sys/fs/cgroup/unified on hybrid systems, else /sys/fs/cgroup.</summary>
    public static string Root => CgroupDirectory.DefaultRoot;

    /// <summary>Attaches <paramref name="program"/>; see the fd overload.</summary>
    public static IBpfAttachment Attach(BpfProgram program, string cgroupPath, BpfAttachType attachType, CgroupAttachMethod method = CgroupAttachMethod.Auto) =>
        Attach(program?.Fd!, cgroupPath, attachType, method);

    /// <summary>Attaches a cgroup program to <paramref name="cgroupPath"/> on hook <paramref name="attachType"/>.</summary>
    /// <returns>A <see cref="CgroupLink"/> or a <see cref="CgroupProgramAttachment"/>; disposing either detaches.</returns>
    /// <exception cref="DirectoryNotFoundException">No such cgroup.</exception>
    /// <exception cref="BpfAttachException">The kernel refused; the message names the cause.</exception>
    public static IBpfAttachment Attach(BpfFd program, string cgroupPath, BpfAttachType attachType, CgroupAttachMethod method = CgroupAttachMethod.Auto)
    {
        if (method == CgroupAttachMethod.ProgramAttach) return CgroupProgramAttachment.Attach(program, cgroupPath, attachType);
        try
        {
            return CgroupLink.Attach(program, cgroupPath, attachType);
        }
        catch (BpfAttachException error) when (method == CgroupAttachMethod.Auto && error.Errno == Libc.EINVAL && !LinksSupported)
        {
            return CgroupProgramAttachment.Attach(program, cgroupPath, attachType);
        }
    }

    /// <summary>
    /// Detaches <paramref name="program"/> from <paramref name="cgroupPath"/>'s hook <paramref name="attachType"/> when it
    /// was attached with BPF_PROG_ATTACH (BPF_PROG_DETACH). A program held by a cgroup link is released through its link.
    /// </summary>
    /// <returns>False when the program was not attached there with BPF_PROG_ATTACH.</returns>
    /// <exception cref="DirectoryNotFoundException">No such cgroup.</exception>
    public static bool Detach(BpfFd program, string cgroupPath, BpfAttachType attachType)
    {
        ArgumentNullException.ThrowIfNull(program);
        using var cgroup = CgroupDirectory.Open(cgroupPath);
        var attr = new ProgAttachAttr
        {
            TargetFd = (uint)CgroupDirectory.Fd(cgroup),
            AttachBpfFd = (uint)program.Value,
            AttachType = (uint)attachType,
        };
        if (BpfSyscall.TryInvoke(BpfCommand.ProgDetach, ref attr, out int errno) >= 0) return true;
        if (errno == Libc.ENOENT) return false;
        throw BpfException.FromErrno(BpfCommand.ProgDetach, errno, $"cgroup '{cgroupPath}' hook {attachType}");
    }

    /// <summary>Ids of the programs attached directly to <paramref name="cgroupPath"/> on <paramref name="attachType"/> (BPF_PROG_QUERY).</summary>
    /// <param name="cgroupPath">The cgroup.</param>
    /// <param name="attachType">The hook.</param>
    /// <param name="effective">Include programs inherited from ancestor cgroups (BPF_F_QUERY_EFFECTIVE).</param>
    public static unsafe IReadOnlyList<uint> Query(string cgroupPath, BpfAttachType attachType, bool effective = false)
    {
        using var cgroup = CgroupDirectory.Open(cgroupPath);
        var ids = new uint[MaxPrograms];
        fixed (uint* pointer = ids)
        {
            var attr = new ProgQueryAttr
            {
                Target = (uint)CgroupDirectory.Fd(cgroup),
                AttachType = (uint)attachType,
                QueryFlags = effective ? 1u : 0u,
                ProgIds = (ulong)pointer,
                Count = MaxPrograms,
            };
            if (BpfSyscall.TryInvoke(BpfCommand.ProgQuery, ref attr, out int errno) < 0)
                throw BpfException.FromErrno(BpfCommand.ProgQuery, errno, $"cgroup '{cgroupPath}' hook {attachType}");
            return ids[..(int)Math.Min(attr.Count, MaxPrograms)];
        }
    }

    /// <summary>Every cgroup hook type, in uapi order.</summary>
    public static IReadOnlyList<BpfAttachType> AttachTypes { get; } =
    [
        BpfAttachType.CgroupInetIngress, BpfAttachType.CgroupInetEgress, BpfAttachType.CgroupInetSockCreate, BpfAttachType.CgroupSockOps,
        BpfAttachType.CgroupDevice, BpfAttachType.CgroupInet4Bind, BpfAttachType.CgroupInet6Bind, BpfAttachType.CgroupInet4Connect,
        BpfAttachType.CgroupInet6Connect, BpfAttachType.CgroupInet4PostBind, BpfAttachType.CgroupInet6PostBind,
        BpfAttachType.CgroupUdp4Sendmsg, BpfAttachType.CgroupUdp6Sendmsg, BpfAttachType.CgroupSysctl, BpfAttachType.CgroupUdp4Recvmsg,
        BpfAttachType.CgroupUdp6Recvmsg, BpfAttachType.CgroupGetsockopt, BpfAttachType.CgroupSetsockopt,
        BpfAttachType.CgroupInet4Getpeername, BpfAttachType.CgroupInet6Getpeername, BpfAttachType.CgroupInet4Getsockname,
        BpfAttachType.CgroupInet6Getsockname, BpfAttachType.CgroupInetSockRelease, BpfAttachType.CgroupUnixConnect,
        BpfAttachType.CgroupUnixSendmsg, BpfAttachType.CgroupUnixRecvmsg, BpfAttachType.CgroupUnixGetpeername,
        BpfAttachType.CgroupUnixGetsockname,
    ];

    /// <summary>
    /// Every program attached directly to <paramref name="root"/> or a cgroup below it, on every hook the kernel knows
    /// (what `sluice net list` shows for cgroups). Hooks this kernel lacks are skipped.
    /// </summary>
    /// <param name="root">Where to start (default: <see cref="Root"/>).</param>
    public static IReadOnlyList<CgroupAttachmentInfo> ListAll(string? root = null)
    {
        root ??= Root;
        var result = new List<CgroupAttachmentInfo>();
        var names = new Dictionary<uint, string>();
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            string path = pending.Pop();
            foreach (var type in AttachTypes)
                foreach (uint id in TryQuery(path, type))
                {
                    if (!names.TryGetValue(id, out var name)) names[id] = name = ProgramLookup.Find(id)?.Name ?? "";
                    result.Add(new CgroupAttachmentInfo(path, type, id, name));
                }
            try
            {
                foreach (var child in Directory.EnumerateDirectories(path)) pending.Push(child);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // A cgroup removed while walking has nothing attached any more.
            }
        }
        return result;
    }

    private static IReadOnlyList<uint> TryQuery(string path, BpfAttachType type)
    {
        try
        {
            return Query(path, type);
        }
        catch (Exception error) when (error is BpfException or IOException)
        {
            return []; // unknown hook on this kernel (EINVAL), or the cgroup vanished
        }
    }

    /// <summary>Cgroup links arrived in 5.7; before that BPF_LINK_CREATE rejects the attach type with EINVAL.</summary>
    private static bool LinksSupported => Environment.OSVersion.Version >= new Version(5, 7);
}
