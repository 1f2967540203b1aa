namespace Sluice.Tests;

/// <summary>
/// Event-based waiting for tests: poll a condition until it holds, within a bound that only a broken build reaches
/// (tests share two cores with other engineers' builds and a CPU hog, so a bound is never a speed assertion).
/// </summary>
public static class Wait
{
    /// <summary>A bound for conditions that normally hold within milliseconds.</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="condition"/> until it holds (true) or <paramref name="bound"/> passes (false).</summary>
    public static bool Until(Func<bool> condition, TimeSpan bound)
    {
        long deadline = Environment.TickCount64 + (long)bound.TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 >= deadline) return false;
            Thread.Sleep(5);
        }
        return true;
    }

    /// <summary><see cref="Until(Func{bool}, TimeSpan)"/> with the <see cref="Generous"/> bound.</summary>
    public static bool Until(Func<bool> condition) => Until(condition, Generous);
}
