using System.Runtime.InteropServices;
using System.Text;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>
/// Pins kernel objects (maps, programs, links) as files on bpffs so they outlive the process, opens them again and
/// removes pins. Any <see cref="BpfFd"/> can be pinned.
/// </summary>
public static class BpfPin
{
    /// <summary>
    /// Pins the object behind <paramref name="fd"/> at <paramref name="path"/> (BPF_OBJ_PIN), creating parent
    /// directories and mounting bpffs at /sys/fs/bpf if needed.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not on a bpffs.</exception>
    /// <exception cref="BpfException">EEXIST: something is already pinned there (unpin it first); other errnos as named.</exception>
    public static unsafe void Pin(BpfFd fd, string path)
    {
        ArgumentNullException.ThrowIfNull(fd);
        ArgumentException.ThrowIfNullOrEmpty(path);
        BpfFileSystem.PrepareDirectoryFor(path);
        int errno = WithPath(path, p =>
        {
            var attr = new ObjPinAttr { Pathname = (ulong)p, BpfFd = (uint)fd.Value };
            return BpfSyscall.TryInvoke(BpfCommand.ObjPin, ref attr, out int e) >= 0 ? 0 : e;
        });
        if (errno == 0) return;
        string context = errno == Libc.EEXIST
            ? $"pin '{path}' already exists; unpin it first"
            : $"pinning at '{path}'";
        throw BpfException.FromErrno(BpfCommand.ObjPin, errno, context);
    }

    /// <summary>Opens the object pinned at <paramref name="path"/> (BPF_OBJ_GET).</summary>
    /// <exception cref="FileNotFoundException">Nothing is pinned there.</exception>
    /// <exception cref="ArgumentException">The path exists but is not on a bpffs.</exception>
    /// <exception cref="BpfException">Other failures (EACCES/EPERM for refused access, EINVAL for a non-BPF file).</exception>
    public static unsafe BpfFd Open(string path, PinAccess access = PinAccess.ReadWrite)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int result = WithPath(path, p =>
        {
            var attr = new ObjPinAttr { Pathname = (ulong)p, FileFlags = (uint)access };
            int fd = BpfSyscall.TryInvoke(BpfCommand.ObjGet, ref attr, out int e);
            return fd >= 0 ? fd : -e;
        });
        if (result >= 0) return new BpfFd(result);
        int errno = -result;
        if (errno == Libc.ENOENT) throw new FileNotFoundException($"nothing is pinned at '{path}'", path);
        string full = Path.GetFullPath(path);
        BpfFileSystem.ThrowIfNotBpfFs(Path.GetDirectoryName(full) ?? "/", full);
        throw BpfException.FromErrno(BpfCommand.ObjGet, errno, $"opening pin '{path}'");
    }

    /// <summary>True when something is pinned (or any file exists) at <paramref name="path"/>.</summary>
    public static bool Exists(string path) => File.Exists(path);

    /// <summary>Removes the pin at <paramref name="path"/>; false when there was none. The object lives on while other references exist.</summary>
    public static bool Unpin(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }

    private static unsafe int WithPath(string path, Func<nint, int> action)
    {
        int length = Encoding.UTF8.GetByteCount(path);
        byte[] bytes = new byte[length + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        fixed (byte* p = bytes)
        {
            return action((nint)p);
        }
    }
}
