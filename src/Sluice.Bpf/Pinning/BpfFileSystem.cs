using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>
/// The BPF filesystem (bpffs), where kernel objects are pinned to outlive the process. Our machines do not mount it
/// at boot, so <see cref="EnsureMounted"/> mounts it when absent.
/// </summary>
public static class BpfFileSystem
{
    /// <summary>The conventional mount point, /sys/fs/bpf.</summary>
    public const string DefaultMountPoint = "/sys/fs/bpf";

    /// <summary>statfs f_type of bpffs (BPF_FS_MAGIC).</summary>
    public const long Magic = Libc.BPF_FS_MAGIC;

    private static readonly Lock MountLock = new();

    /// <summary>True when <paramref name="path"/> (which must exist) is on a bpffs.</summary>
    public static bool IsBpfFs(string path) => TryGetFileSystemType(path, out long type) && type == Magic;

    /// <summary>Mounts bpffs at <paramref name="mountPoint"/> unless one is already there (needs CAP_SYS_ADMIN).</summary>
    /// <exception cref="IOException">mount(2) failed; the message carries the errno.</exception>
    public static unsafe void EnsureMounted(string mountPoint = DefaultMountPoint)
    {
        ArgumentNullException.ThrowIfNull(mountPoint);
        lock (MountLock)
        {
            Directory.CreateDirectory(mountPoint);
            if (IsBpfFs(mountPoint)) return;
            if (Libc.Mount("bpf", mountPoint, "bpf", 0, null) != 0)
            {
                int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                throw new IOException($"mounting bpffs at {mountPoint} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})");
            }
        }
    }

    /// <summary>
    /// Makes sure <paramref name="path"/>'s directory exists on a bpffs, creating directories as needed (and
    /// mounting bpffs if the path is under the default mount point and nothing is mounted there).
    /// </summary>
    /// <exception cref="ArgumentException">The directory exists but is not on a bpffs.</exception>
    internal static void PrepareDirectoryFor(string path)
    {
        string full = Path.GetFullPath(path);
        CheckPinPath(full);
        if (full.StartsWith(DefaultMountPoint + "/", StringComparison.Ordinal)) EnsureMounted();
        string directory = Path.GetDirectoryName(full) ?? "/";
        Directory.CreateDirectory(directory);
        ThrowIfNotBpfFs(directory, full);
    }

    /// <summary>
    /// Refuses a path bpffs would refuse with a bare EPERM: bpffs allows no '.' in the names of its files and
    /// directories. A component is checked when it is (or would be created) on bpffs: below
    /// <see cref="DefaultMountPoint"/>, or below an existing directory that is on a bpffs.
    /// </summary>
    /// <exception cref="ArgumentException">A component bpffs would refuse; the message says which and why.</exception>
    public static void CheckPinPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string[] parts = full.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string parent = "/";
        bool onBpfFs = false;
        foreach (string part in parts)
        {
            onBpfFs = onBpfFs || (parent + "/").StartsWith(DefaultMountPoint + "/", StringComparison.Ordinal) ||
                (Directory.Exists(parent) && IsBpfFs(parent));
            if (onBpfFs && part.Contains('.', StringComparison.Ordinal))
                throw new ArgumentException(
                    $"cannot pin at '{full}': bpffs does not allow '.' in file or directory names ('{part}'); use a name without dots, e.g. '{part.Replace('.', '_')}'",
                    nameof(path));
            parent = Path.Combine(parent, part);
        }
    }

    internal static void ThrowIfNotBpfFs(string directory, string path)
    {
        if (TryGetFileSystemType(directory, out long type) && type != Magic)
        {
            throw new ArgumentException(
                $"'{path}' is not on a BPF filesystem (statfs type 0x{type:x} at {directory}, bpffs is 0x{Magic:x}); pin under {DefaultMountPoint} or mount bpffs with 'mount -t bpf bpf DIR'",
                nameof(path));
        }
    }

    private static unsafe bool TryGetFileSystemType(string path, out long type)
    {
        StatFsBuffer buffer;
        if (Libc.StatFs(path, &buffer) != 0)
        {
            type = 0;
            return false;
        }
        type = buffer.Type;
        return true;
    }
}
