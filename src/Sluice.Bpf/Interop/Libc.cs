using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>The libc entry points Sluice uses. Only Interop/ calls into libc.</summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    internal static partial long Syscall(long number, long arg1, void* arg2, long arg3);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    internal static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int Munmap(void* address, nuint length);

    [LibraryImport(Library, EntryPoint = "getrlimit", SetLastError = true)]
    internal static partial int GetRlimit(int resource, RLimit* limit);

    [LibraryImport(Library, EntryPoint = "setrlimit", SetLastError = true)]
    internal static partial int SetRlimit(int resource, RLimit* limit);

    [LibraryImport(Library, EntryPoint = "sysconf", SetLastError = true)]
    internal static partial long Sysconf(int name);

    [LibraryImport(Library, EntryPoint = "strerror")]
    internal static partial byte* StrError(int errno);

    [LibraryImport(Library, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Mount(string source, string target, string fileSystemType, ulong flags, void* data);

    [LibraryImport(Library, EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int StatFs(string path, StatFsBuffer* buffer);

    [LibraryImport(Library, EntryPoint = "epoll_create1", SetLastError = true)]
    internal static partial int EpollCreate1(int flags);

    [LibraryImport(Library, EntryPoint = "epoll_ctl", SetLastError = true)]
    internal static partial int EpollCtl(int epollFd, int operation, int fd, EpollEvent* ev);

    [LibraryImport(Library, EntryPoint = "epoll_wait", SetLastError = true)]
    internal static partial int EpollWait(int epollFd, EpollEvent* events, int maxEvents, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int EventFd(uint initialValue, int flags);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "setns", SetLastError = true)]
    internal static partial int SetNs(int fd, int nsType);

    /// <summary>stat(2) into a raw struct stat buffer (at least 256 bytes; st_ino is at offset 8 on 64-bit Linux).</summary>
    [LibraryImport(Library, EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Stat(string path, byte* buffer);

    [LibraryImport(Library, EntryPoint = "unshare", SetLastError = true)]
    internal static partial int Unshare(int flags);

    [LibraryImport(Library, EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial uint IfNameToIndex(string name);

    [LibraryImport(Library, EntryPoint = "clock_gettime", SetLastError = true)]
    internal static partial int ClockGetTime(int clock, TimeSpec* time);

    [LibraryImport(Library, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MkDir(string path, uint mode);

    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Statx(int directoryFd, string path, int flags, uint mask, StatxBuffer* buffer);

    [LibraryImport(Library, EntryPoint = "geteuid")]
    internal static partial uint GetEuid();

    [LibraryImport(Library, EntryPoint = "flock", SetLastError = true)]
    internal static partial int Flock(int fd, int operation);

    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int ENOENT = 2;
    internal const int E2BIG = 7;
    internal const int ENOSPC = 28;
    internal const int EPERM = 1;
    internal const int EINVAL = 22;
    internal const int EEXIST = 17;
    internal const int ENOTSUP = 95;
    internal const int ESRCH = 3;

    internal const int RLIMIT_MEMLOCK = 8;
    internal const int SC_NPROCESSORS_CONF = 83;
    internal const int SC_PAGESIZE = 30;
    internal const int O_RDONLY = 0;
    internal const int O_CLOEXEC = 0x80000;
    internal const int O_NOFOLLOW = 0x20000;
    internal const int ELOOP = 40;
    internal const int AT_FDCWD = -100;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const uint STATX_BASIC_STATS = 0x7ff;
    internal const int S_IFMT = 0xF000;
    internal const int S_IFDIR = 0x4000;
    internal const int S_IFLNK = 0xA000;
    internal const int LOCK_EX = 2;
    internal const int LOCK_UN = 8;
    internal const int LOCK_NB = 4;
    internal const int EWOULDBLOCK = EAGAIN;
    internal const int PROT_READ = 1;
    internal const int PROT_WRITE = 2;
    internal const int MAP_SHARED = 1;
    internal const int EPOLL_CTL_ADD = 1;
    internal const int EPOLLIN = 1;
    internal const long BPF_FS_MAGIC = 0xcafe4a11;

    internal static string ErrorText(int errno) => Marshal.PtrToStringUTF8((nint)StrError(errno)) ?? $"errno {errno}";
}

[StructLayout(LayoutKind.Sequential)]
internal struct RLimit
{
    public ulong Current;
    public ulong Maximum;
}

[StructLayout(LayoutKind.Sequential)]
internal struct TimeSpec
{
    public long Seconds;
    public long Nanoseconds;
}

/// <summary>struct statx (256 bytes); only the fields Sluice reads are named.</summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal struct StatxBuffer
{
    [FieldOffset(20)] public uint Uid;
    [FieldOffset(28)] public ushort Mode;
}

[StructLayout(LayoutKind.Sequential, Size = 120)]
internal struct StatFsBuffer
{
    public long Type;
}

[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct EpollEvent
{
    public uint Events;
    public ulong Data;
}
