using System.Runtime.InteropServices;

namespace Sluice.Benchmarks.Harness;

/// <summary>
/// CPU time used by the calling thread (clock_gettime CLOCK_THREAD_CPUTIME_ID), the same clock the C baselines
/// read: on a noisy VM, wall time mixes a consumer's cost with the share of CPU the scheduler gave it.
/// </summary>
public static partial class ThreadCpuClock
{
    private const int ClockProcessCpuTime = 2;
    private const int ClockThreadCpuTime = 3;

    public static double Seconds() => Read(ClockThreadCpuTime);

    /// <summary>CPU time of the whole process, every thread (CLOCK_PROCESS_CPUTIME_ID), user and system.</summary>
    public static double ProcessSeconds() => Read(ClockProcessCpuTime);

    private static double Read(int clock)
    {
        if (ClockGetTime(clock, out var time) != 0) throw new InvalidOperationException("clock_gettime failed");
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
