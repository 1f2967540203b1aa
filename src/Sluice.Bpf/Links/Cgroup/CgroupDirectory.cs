using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>Opens a cgroup v2 directory as the fd that cgroup attach, detach and query take.</summary>
internal static class CgroupDirectory
{
    /// <summary>Where cgroup v2 is usually mounted: the unified hierarchy of a hybrid setup, else /sys/fs/cgroup.</summary>
    internal static string DefaultRoot => Directory.Exists("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup";

    internal static SafeFileHandle Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        if (fd >= 0) return new SafeFileHandle(fd, ownsHandle: true);
        int errno = Marshal.GetLastPInvokeError();
        if (errno == Libc.ENOENT) throw new DirectoryNotFoundException($"cgroup '{path}' does not exist");
        throw new IOException($"cannot open cgroup '{path}': {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})");
    }

    internal static int Fd(SafeFileHandle handle) => (int)handle.DangerousGetHandle();
}
