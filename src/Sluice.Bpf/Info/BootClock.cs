using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>CLOCK_BOOTTIME, the clock the kernel stamps program load times with (includes time suspended).</summary>
internal static class BootClock
{
    private const int ClockBootTime = 7;

    internal static unsafe TimeSpan SinceBoot()
    {
        TimeSpec now;
        if (Libc.ClockGetTime(ClockBootTime, &now) != 0) return TimeSpan.FromMilliseconds(Environment.TickCount64);
        return TimeSpan.FromTicks(now.Seconds * TimeSpan.TicksPerSecond + now.Nanoseconds / 100);
    }
}
