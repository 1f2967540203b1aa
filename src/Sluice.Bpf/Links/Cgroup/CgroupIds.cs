using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>cgroup v2 ids, as bpf_skb_cgroup_id and bpf_get_current_cgroup_id return them (Linux 4.18).</summary>
public static class CgroupIds
{
    /// <summary>The id of the cgroup v2 directory <paramref name="path"/>: its inode number on the cgroup2 file system.</summary>
    /// <exception cref="DirectoryNotFoundException">No such directory.</exception>
    /// <exception cref="IOException">stat failed otherwise.</exception>
    public static unsafe ulong Get(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"cgroup '{path}' does not exist");
        byte* buffer = stackalloc byte[256];
        if (Libc.Stat(path, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"stat {path} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})");
        }
        // struct stat starts with st_dev (8 bytes) then st_ino (8 bytes) on x86_64 and on the generic 64-bit layout.
        return *(ulong*)(buffer + 8);
    }
}
