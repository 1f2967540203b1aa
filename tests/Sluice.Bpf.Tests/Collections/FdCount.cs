namespace Sluice.Bpf.Tests.Collections;

/// <summary>Open file descriptors of this process, to prove a failed load leaks none.</summary>
internal static class FdCount
{
    internal static int Current => Directory.GetFiles("/proc/self/fd").Length;
}
