namespace Sluice.Bpf;

/// <summary>How an <see cref="XdpSocket"/> is bound to its queue.</summary>
public enum XdpBindMode
{
    /// <summary>XDP_COPY: the kernel copies each frame into the UMEM. Works on every driver, veth included.</summary>
    Copy,

    /// <summary>XDP_ZEROCOPY: the driver DMAs into the UMEM. Needs driver support (veth answers EBUSY/EOPNOTSUPP).</summary>
    ZeroCopy,
}

/// <summary>Sizes and placement of an <see cref="XdpSocket"/>.</summary>
public sealed record XdpSocketOptions
{
    /// <summary>Frames in the UMEM; a power of two. All of them start in the fill ring.</summary>
    public uint FrameCount { get; init; } = 2048;

    /// <summary>Bytes per frame: 2048 or 4096 (a power of two, at most one page).</summary>
    public uint FrameSize { get; init; } = 2048;

    /// <summary>Entries of the RX ring; a power of two.</summary>
    public uint RxRingSize { get; init; } = 2048;

    /// <summary>The bind mode (default: copy).</summary>
    public XdpBindMode Mode { get; init; } = XdpBindMode.Copy;

    /// <summary>
    /// The network namespace of the interface. Creation (ifindex lookup and bind) runs inside it; the socket is
    /// usable from any thread afterwards. Null: the calling thread's namespace.
    /// </summary>
    public NetworkNamespace? Namespace { get; init; }
}

/// <summary>The kernel's counters for an <see cref="XdpSocket"/> (getsockopt XDP_STATISTICS).</summary>
/// <param name="RxDropped">Frames dropped for reasons other than a full ring or an empty fill ring.</param>
/// <param name="RxInvalidDescriptors">Invalid RX descriptors.</param>
/// <param name="RxRingFull">Frames dropped because the RX ring was full.</param>
/// <param name="RxFillRingEmpty">Frames dropped because the fill ring had no free frame.</param>
public readonly record struct XdpSocketStatistics(ulong RxDropped, ulong RxInvalidDescriptors, ulong RxRingFull, ulong RxFillRingEmpty);
