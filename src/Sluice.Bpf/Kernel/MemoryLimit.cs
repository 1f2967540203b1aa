using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>
/// RLIMIT_MEMLOCK handling. Kernels before 5.11 charge BPF maps and programs against it, so loaders raise it to
/// unlimited once; newer kernels account through memcg and ignore it, and raising it is harmless.
/// </summary>
public static class MemoryLimit
{
    private static int _done;

    /// <summary>Raises RLIMIT_MEMLOCK to unlimited once per process; silently keeps the old limit when not allowed.</summary>
    public static unsafe void EnsureUnlimited()
    {
        if (Interlocked.Exchange(ref _done, 1) != 0) return;
        var limit = new RLimit { Current = ulong.MaxValue, Maximum = ulong.MaxValue };
        // Failure (no CAP_SYS_RESOURCE) is not fatal: on 5.11+ the limit is not consulted at all.
        _ = Libc.SetRlimit(Libc.RLIMIT_MEMLOCK, &limit);
    }
}
