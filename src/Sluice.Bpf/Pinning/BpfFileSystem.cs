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
            // mode=0700: without it a fresh bpffs is 1777, and a local user could create sluice/ first and plant
            // symlinks that root later follows.
            byte* options = stackalloc byte[] { (byte)'m', (byte)'o', (byte)'d', (byte)'e', (byte)'=', (byte)'0', (byte)'7', (byte)'0', (byte)'0', 0 };
            if (Libc.Mount("bpf", mountPoint, "bpf", 0, options) != 0)
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
    /// Creates <paramref name="directory"/> and its missing parents with mode 0700, after checking that no
    /// component of the path is a symbolic link and that every existing component inside the BPF filesystem is owned
    /// by root (or by the calling user): pinned state must not live where another user can redirect or replace it.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">A component is a symlink or owned by another user; the message names it.</exception>
    /// <exception cref="IOException">mkdir(2) or statx(2) failed.</exception>
    public static void CreatePrivateDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string full = Path.GetFullPath(directory).TrimEnd('/');
        string current = "";
        foreach (string part in full.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current += "/" + part;
            if (!TryStat(current, out var stat))
            {
                if (Libc.MkDir(current, 0x1C0 /* 0700 */) != 0)
                {
                    int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (errno != Libc.EEXIST)
                        throw new IOException($"creating {current} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})");
                }
                if (!TryStat(current, out stat)) throw new IOException($"{current} vanished right after it was created");
            }
            CheckComponent(current, stat, ownerMatters: IsBpfFs(current));
        }
    }

    /// <summary>
    /// Throws unless every component of <paramref name="path"/> that exists is a real directory or file, not a
    /// symbolic link: call before deleting pinned state, so a deletion never follows a link planted in the path.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">A component is a symlink; the message names it.</exception>
    public static void ThrowIfSymlinked(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string current = "";
        foreach (string part in Path.GetFullPath(path).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current += "/" + part;
            if (!TryStat(current, out var stat)) return;
            if ((stat.Mode & Libc.S_IFMT) == Libc.S_IFLNK)
                throw new UnauthorizedAccessException($"{current} is a symbolic link: refusing to follow it under pinned state");
        }
    }

    private static void CheckComponent(string path, StatxBuffer stat, bool ownerMatters)
    {
        int type = stat.Mode & Libc.S_IFMT;
        if (type == Libc.S_IFLNK)
            throw new UnauthorizedAccessException($"{path} is a symbolic link: refusing to keep pinned state behind it");
        if (type != Libc.S_IFDIR)
            throw new UnauthorizedAccessException($"{path} is not a directory");
        if (ownerMatters && stat.Uid != 0 && stat.Uid != Libc.GetEuid())
            throw new UnauthorizedAccessException($"{path} is owned by uid {stat.Uid}, not root: refusing to keep pinned state there");
    }

    private static unsafe bool TryStat(string path, out StatxBuffer stat)
    {
        StatxBuffer buffer;
        if (Libc.Statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &buffer) != 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno is not (Libc.ENOENT or Libc.ENOTDIR))
                throw new IOException($"statx {path} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})");
            stat = default;
            return false;
        }
        stat = buffer;
        return true;
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
