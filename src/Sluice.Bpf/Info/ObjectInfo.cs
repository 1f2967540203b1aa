using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>BPF_OBJ_GET_INFO_BY_FD and the id commands, shared by the map, program and link info types.</summary>
internal static unsafe class ObjectInfo
{
    /// <summary>Fills <paramref name="info"/> (our possibly shorter struct: the kernel copies only what fits).</summary>
    internal static void Read<TInfo>(BpfFd fd, ref TInfo info) where TInfo : unmanaged
    {
        fixed (TInfo* pointer = &info)
        {
            var attr = new ObjInfoAttr { BpfFd = (uint)fd.Value, InfoLen = (uint)sizeof(TInfo), Info = (ulong)pointer };
            BpfSyscall.Invoke(BpfCommand.ObjGetInfoByFd, ref attr);
        }
    }

    /// <summary>Like <see cref="Read{TInfo}"/>, but false instead of an exception when the kernel refuses the request.</summary>
    internal static bool TryRead<TInfo>(BpfFd fd, ref TInfo info) where TInfo : unmanaged
    {
        fixed (TInfo* pointer = &info)
        {
            var attr = new ObjInfoAttr { BpfFd = (uint)fd.Value, InfoLen = (uint)sizeof(TInfo), Info = (ulong)pointer };
            return BpfSyscall.TryInvoke(BpfCommand.ObjGetInfoByFd, ref attr, out _) >= 0;
        }
    }

    /// <summary>The id after <paramref name="startId"/> (0 = first); false at the end.</summary>
    internal static bool TryGetNextId(BpfCommand command, uint startId, out uint nextId)
    {
        var attr = new GetIdAttr { Id = startId };
        if (BpfSyscall.TryInvoke(command, ref attr, out int errno) >= 0)
        {
            nextId = attr.NextId;
            return true;
        }
        nextId = 0;
        if (errno == Libc.ENOENT) return false;
        throw BpfException.FromErrno(command, errno);
    }

    /// <summary>
    /// Opens the object with <paramref name="id"/>; null when it no longer exists (ENOENT) or is a link another
    /// process is still creating or already tearing down (EAGAIN): in a listing of the whole system, that object is
    /// not there to show.
    /// </summary>
    internal static BpfFd? TryOpenById(BpfCommand command, uint id, uint openFlags = 0)
    {
        var attr = new GetIdAttr { Id = id, OpenFlags = openFlags };
        int fd = BpfSyscall.TryInvoke(command, ref attr, out int errno);
        if (fd >= 0) return new BpfFd(fd);
        if (errno == Libc.ENOENT || errno == Libc.EAGAIN) return null;
        throw BpfException.FromErrno(command, errno, $"id {id}");
    }

    /// <summary>Every id of one kind, in increasing order, read lazily.</summary>
    internal static IEnumerable<uint> Ids(BpfCommand nextIdCommand)
    {
        uint id = 0;
        while (TryGetNextId(nextIdCommand, id, out id)) yield return id;
    }

    /// <summary>Every object of one kind that still exists when reached: ids that vanish between listing and opening are skipped.</summary>
    internal static IEnumerable<T> All<T>(BpfCommand nextIdCommand, BpfCommand openCommand, Func<BpfFd, T> read)
    {
        foreach (uint id in Ids(nextIdCommand))
        {
            using var fd = TryOpenById(openCommand, id);
            if (fd is null) continue;
            yield return read(fd);
        }
    }

    internal static string ReadName(byte* name)
    {
        int length = 0;
        while (length < 16 && name[length] != 0) length++;
        return System.Text.Encoding.ASCII.GetString(name, length);
    }
}
