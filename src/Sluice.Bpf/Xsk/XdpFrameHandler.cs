namespace Sluice.Bpf;

/// <summary>
/// Receives one frame from an <see cref="XdpSocket"/> in place, starting at the Ethernet header. The span points
/// into the socket's UMEM and is valid only for the duration of the call: the frame goes back to the kernel's fill
/// ring right after. Copy what you keep.
/// </summary>
public delegate void XdpFrameHandler(ReadOnlySpan<byte> frame);
