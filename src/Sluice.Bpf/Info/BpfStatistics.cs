using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>
/// Turns on the kernel's per-program run-time statistics (<see cref="BpfProgramInfo.RunTime"/>,
/// <see cref="BpfProgramInfo.RunCount"/>) for as long as the returned handle is open. They cost a little per run,
/// which is why the kernel keeps them off by default.
/// </summary>
public static class BpfStatistics
{
    /// <summary>Enables run-time statistics until the returned fd is disposed (BPF_ENABLE_STATS, Linux 5.8).</summary>
    /// <exception cref="BpfNotSupportedException">The kernel predates BPF_ENABLE_STATS; use sysctl kernel.bpf_stats_enabled=1 instead.</exception>
    public static BpfFd EnableRunTime()
    {
        var attr = new EnableStatsAttr { Type = 0 };
        int fd = BpfSyscall.TryInvoke(BpfCommand.EnableStats, ref attr, out int errno);
        if (fd >= 0) return new BpfFd(fd);
        if (errno == Libc.EINVAL) throw new BpfNotSupportedException("BPF_ENABLE_STATS", "5.8");
        throw BpfException.FromErrno(BpfCommand.EnableStats, errno);
    }
}
