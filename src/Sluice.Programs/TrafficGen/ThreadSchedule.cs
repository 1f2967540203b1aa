using System.Globalization;

namespace Sluice.Programs.TrafficGen;

/// <summary>
/// The calling thread's scheduler accounting from /proc/thread-self/schedstat (CONFIG_SCHED_INFO): time on a CPU
/// (including the kernel work the thread's system calls did, and softirq work run on its way out of them) and time
/// runnable but waiting for a CPU. A generator's rate is its own only while the second stays small.
/// </summary>
internal readonly record struct ThreadSchedule(TimeSpan OnCpu, TimeSpan Waiting)
{
    private const string Path = "/proc/thread-self/schedstat";

    /// <summary>The calling thread's totals so far, or null where the kernel does not keep them.</summary>
    internal static ThreadSchedule? Read()
    {
        try
        {
            // "<ns on cpu> <ns waiting on a run queue> <time slices>"
            var fields = File.ReadAllText(Path).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length >= 2
                && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long onCpu)
                && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long waiting)
                ? new ThreadSchedule(FromNanoseconds(onCpu), FromNanoseconds(waiting))
                : null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>What happened between <paramref name="earlier"/> and this reading.</summary>
    internal ThreadSchedule Since(ThreadSchedule earlier) => new(OnCpu - earlier.OnCpu, Waiting - earlier.Waiting);

    private static TimeSpan FromNanoseconds(long nanoseconds) => TimeSpan.FromTicks(nanoseconds / (1_000_000_000 / TimeSpan.TicksPerSecond));
}
