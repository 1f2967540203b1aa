namespace Sluice.Bpf;

/// <summary>An XDP program's verdict (enum xdp_action).</summary>
public enum XdpAction : uint
{
    /// <summary>XDP_ABORTED: drop and raise the xdp_exception tracepoint (a program error).</summary>
    Aborted = 0,
    /// <summary>XDP_DROP: drop the frame.</summary>
    Drop = 1,
    /// <summary>XDP_PASS: hand the frame to the network stack.</summary>
    Pass = 2,
    /// <summary>XDP_TX: bounce the frame out of the interface it arrived on.</summary>
    Tx = 3,
    /// <summary>XDP_REDIRECT: send it where bpf_redirect*() said.</summary>
    Redirect = 4,
}
