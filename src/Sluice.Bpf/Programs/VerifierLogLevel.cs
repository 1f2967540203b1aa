namespace Sluice.Bpf;

/// <summary>How much the verifier writes to its log (the log_level bits of BPF_PROG_LOAD).</summary>
[Flags]
public enum VerifierLogLevel : uint
{
    /// <summary>No log requested. A failed load is still retried once with <see cref="Basic"/> to explain itself.</summary>
    None = 0,
    /// <summary>BPF_LOG_LEVEL1: the failing path and the reason.</summary>
    Basic = 1,
    /// <summary>BPF_LOG_LEVEL2: every instruction of every explored state (large).</summary>
    Verbose = 2,
    /// <summary>BPF_LOG_STATS: totals (instructions processed, states, time). Linux 5.2.</summary>
    Statistics = 4,
}
