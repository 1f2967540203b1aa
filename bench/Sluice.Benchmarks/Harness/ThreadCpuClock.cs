using System.Runtime.InteropServices;

namespace Sluice.Benchmarks.Harness;

/// <summary>
/// CPU time used by the calling thread (clock_gettime CLOCK_THREAD_CPUTIME_ID), the same clock the C baselines
/// read: on a noisy VM, wall time mixes a consumer's cost with the share of CPU the scheduler gave it.
/// </summary>
public static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTime = 3;

    public static double Seconds()
    {
        if (ClockGetTime(ClockThreadCpuTime, out var time) != 0) throw new InvalidOperationException("clock_gettime failed");
        return time.Seconds + time.Nanoseconds / 1e9;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
