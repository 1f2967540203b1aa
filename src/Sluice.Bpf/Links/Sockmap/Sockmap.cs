using System.Net.Sockets;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// SOCKMAP / SOCKHASH programs and sockets: attach sk_msg verdict (Linux 4.17) and sk_skb stream parser / stream
/// verdict (4.14) / verdict (5.13) programs to a socket map, and put .NET sockets into the map.
/// </summary>
public static class Sockmap
{
    /// <summary>Attaches <paramref name="program"/>; see the fd overload.</summary>
    public static IBpfAttachment Attach(BpfProgram program, BpfMap map, BpfAttachType attachType) => Attach(program?.Fd!, map, attachType);

    /// <summary>
    /// Attaches an sk_msg/sk_skb program to <paramref name="map"/>: a bpf_link where the kernel has them (6.10),
    /// else BPF_PROG_ATTACH. Disposing the result detaches.
    /// </summary>
    /// <exception cref="BpfAttachException">The kernel refused; the message names the cause.</exception>
    public static IBpfAttachment Attach(BpfFd program, BpfMap map, BpfAttachType attachType)
    {
        try
        {
            return SockmapLink.Attach(program, map, attachType);
        }
        catch (BpfAttachException error) when (error.Errno == Libc.EINVAL && Environment.OSVersion.Version < new Version(6, 10))
        {
            return SockmapProgramAttachment.Attach(program, map, attachType);
        }
    }

    /// <summary>
    /// Detaches <paramref name="program"/> from <paramref name="map"/>'s hook <paramref name="attachType"/> when it was
    /// attached with BPF_PROG_ATTACH (BPF_PROG_DETACH). Sockets already in the map keep the program they copied.
    /// </summary>
    /// <returns>False when that program was not attached there with BPF_PROG_ATTACH.</returns>
    public static bool Detach(BpfFd program, BpfMap map, BpfAttachType attachType)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(map);
        CheckMap(map);
        var attr = new ProgAttachAttr { TargetFd = (uint)map.Fd.Value, AttachBpfFd = (uint)program.Value, AttachType = (uint)attachType };
        if (BpfSyscall.TryInvoke(BpfCommand.ProgDetach, ref attr, out int errno) >= 0) return true;
        if (errno is Libc.ENOENT or Libc.EINVAL) return false;
        throw BpfException.FromErrno(BpfCommand.ProgDetach, errno, $"socket map '{map.Name}' hook {attachType}");
    }

    /// <summary>Puts <paramref name="socket"/> (a connected TCP or a UDP/unix socket) into <paramref name="map"/> at <paramref name="key"/>.</summary>
    /// <exception cref="BpfException">E.g. EOPNOTSUPP for a TCP socket that is not established.</exception>
    public static void SetSocket(BpfMap map, ReadOnlySpan<byte> key, Socket socket)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(socket);
        CheckMap(map);
        bool added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            // The value is the socket's fd; the kernel stores the socket itself, not the number.
            long fd = socket.SafeHandle.DangerousGetHandle();
            Span<byte> value = stackalloc byte[(int)map.ValueSize];
            value.Clear();
            BitConverter.TryWriteBytes(value, map.ValueSize == 8 ? fd : (int)fd);
            map.Update(key, value);
        }
        finally
        {
            if (added) socket.SafeHandle.DangerousRelease();
        }
    }

    /// <summary>Removes the socket at <paramref name="key"/>; false when there was none.</summary>
    public static bool RemoveSocket(BpfMap map, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(map);
        return map.Delete(key);
    }

    /// <summary>The socket-map hooks.</summary>
    public static IReadOnlyList<BpfAttachType> AttachTypes { get; } =
        [BpfAttachType.SkMsgVerdict, BpfAttachType.SkSkbStreamParser, BpfAttachType.SkSkbStreamVerdict, BpfAttachType.SkSkbVerdict];

    /// <summary>
    /// Every program attached to any SOCKMAP/SOCKHASH in the system (BPF_PROG_QUERY on the map, Linux 5.19),
    /// which `bpftool net` does not show.
    /// </summary>
    public static IReadOnlyList<SockmapAttachmentInfo> ListAll()
    {
        var result = new List<SockmapAttachmentInfo>();
        foreach (var info in BpfMapInfo.All().Where(m => m.Type is BpfMapType.SockMap or BpfMapType.SockHash))
        {
#pragma warning disable CA2000 // disposed by the using declaration; the analyser misreads the nullable SafeHandle result
            using var map = ObjectInfo.TryOpenById(BpfCommand.MapGetFdById, info.Id);
#pragma warning restore CA2000
            if (map is not null) AddAttachments(map, info, result);
        }
        return result;
    }

    private static unsafe void AddAttachments(BpfFd map, BpfMapInfo info, List<SockmapAttachmentInfo> result)
    {
        foreach (var type in AttachTypes)
        {
            var programs = new uint[4];
            var links = new uint[4];
            fixed (uint* programIds = programs)
            fixed (uint* linkIds = links)
            {
                var attr = new ProgQueryAttr
                {
                    Target = (uint)map.Value, AttachType = (uint)type, ProgIds = (ulong)programIds, LinkIds = (ulong)linkIds, Count = 4,
                };
                if (BpfSyscall.TryInvoke(BpfCommand.ProgQuery, ref attr, out _) < 0) continue;
                for (int i = 0; i < Math.Min(attr.Count, 4u); i++)
                    result.Add(new SockmapAttachmentInfo(info.Id, info.Name, type, programs[i], ProgramLookup.Find(programs[i])?.Name ?? "",
                        links[i] == 0 ? null : links[i]));
            }
        }
    }

    internal static void CheckMap(BpfMap map)
    {
        if (map.Type is not (BpfMapType.SockMap or BpfMapType.SockHash))
            throw new ArgumentException($"map '{map.Name}' is a {map.Type}; socket programs attach to a SockMap or SockHash", nameof(map));
    }

    internal static BpfAttachException Explain(int errno, BpfFd program, BpfMap map, BpfAttachType attachType, string operation)
    {
        string failed = $"{operation} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})";
        string where = $"socket map '{map.Name}' hook {attachType}";
        return errno switch
        {
            Libc.EINVAL => new BpfAttachException(AttachFailure.WrongProgramType, errno,
                $"cannot attach program {ProgramLookup.Describe(ProgramLookup.Of(program))} to {where}: the program type does not fit the hook " +
                $"(SkMsg for SkMsgVerdict, SkSkb for the sk_skb hooks) ({failed})"),
            Libc.EBUSY or Libc.EEXIST => new BpfAttachException(AttachFailure.HookOccupied, errno, $"{where} already has a program ({failed})"),
            _ => new BpfAttachException(AttachFailure.Other, errno, $"attaching to {where} failed ({failed})"),
        };
    }
}
