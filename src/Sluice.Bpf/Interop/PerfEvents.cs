using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>perf_event_open(2) and the perf ioctls, the way tracepoints, kprobes, uprobes and BPF_OUTPUT rings are opened.</summary>
internal static unsafe partial class PerfEvents
{
    internal const uint TypeSoftware = 1;
    internal const uint TypeTracepoint = 2;
    internal const ulong SoftwareBpfOutput = 10;
    internal const ulong SampleRaw = 1ul << 10;
    /// <summary>perf_event_attr flag bits (the bitfield word at offset 40).</summary>
    internal const ulong FlagDisabled = 1ul << 0;
    internal const ulong FlagWatermark = 1ul << 14;

    private const ulong FlagFdCloexec = 8; // PERF_FLAG_FD_CLOEXEC
    private const ulong IocEnable = 0x2400;
    private const ulong IocDisable = 0x2401;
    private const ulong IocSetBpf = 0x40042408;

    private static readonly long SyscallNumber = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 298,
        Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => 241,
        _ => throw new PlatformNotSupportedException($"perf_event_open: unsupported architecture {RuntimeInformation.ProcessArchitecture}"),
    };

    /// <summary>Opens a perf event; returns the fd or -1 with <paramref name="errno"/>.</summary>
    internal static int Open(ref PerfEventAttr attr, int pid, int cpu, out int errno)
    {
        attr.Size = (uint)sizeof(PerfEventAttr);
        fixed (PerfEventAttr* pointer = &attr)
        {
            while (true)
            {
                long fd = SyscallOpen(SyscallNumber, pointer, pid, cpu, -1, FlagFdCloexec);
                if (fd >= 0)
                {
                    errno = 0;
                    return (int)fd;
                }
                errno = Marshal.GetLastPInvokeError();
                if (errno != Libc.EINTR) return -1;
            }
        }
    }

    /// <summary>PERF_EVENT_IOC_ENABLE; returns the errno (0 on success).</summary>
    internal static int Enable(int fd) => Ioctl(fd, IocEnable, 0) < 0 ? Marshal.GetLastPInvokeError() : 0;

    /// <summary>PERF_EVENT_IOC_DISABLE; returns the errno (0 on success).</summary>
    internal static int Disable(int fd) => Ioctl(fd, IocDisable, 0) < 0 ? Marshal.GetLastPInvokeError() : 0;

    /// <summary>PERF_EVENT_IOC_SET_BPF (Linux 4.1): runs the program on every hit of the event; returns the errno.</summary>
    internal static int SetBpf(int fd, int programFd) => Ioctl(fd, IocSetBpf, programFd) < 0 ? Marshal.GetLastPInvokeError() : 0;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long SyscallOpen(long number, PerfEventAttr* attr, long pid, long cpu, long groupFd, ulong flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, ulong request, long argument);
}

/// <summary>struct perf_event_attr up to sig_data (PERF_ATTR_SIZE_VER7, 128 bytes).</summary>
[StructLayout(LayoutKind.Sequential, Size = 128)]
internal struct PerfEventAttr
{
    public uint Type;
    public uint Size;
    public ulong Config;
    public ulong SamplePeriod;
    public ulong SampleType;
    public ulong ReadFormat;
    public ulong Flags;
    public uint WakeupEvents;
    public uint BreakpointType;
    /// <summary>config1: kprobe_func / uprobe_path (a pointer to a NUL-terminated string).</summary>
    public ulong Config1;
    /// <summary>config2: kprobe_addr offset / probe_offset.</summary>
    public ulong Config2;
}
