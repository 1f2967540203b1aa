namespace Sluice.Bpf;

/// <summary>Flags of BPF_PROG_TEST_RUN.</summary>
[Flags]
public enum TestRunFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary>BPF_F_TEST_RUN_ON_CPU: run on a chosen CPU (raw tracepoint programs only). Linux 5.10.</summary>
    OnCpu = 1,
    /// <summary>BPF_F_TEST_XDP_LIVE_FRAMES: XDP frames really transmitted/redirected. Linux 5.18.</summary>
    XdpLiveFrames = 2,
    /// <summary>BPF_F_TEST_SKB_CHECKSUM_COMPLETE: give the skb CHECKSUM_COMPLETE. Linux 6.6.</summary>
    SkbChecksumComplete = 4,
}
