namespace Sluice.Bpf;

/// <summary>
/// The 8-byte header the kernel writes in front of every ring buffer record (struct bpf_ringbuf_hdr):
/// a 32-bit length whose top two bits are state flags, then the record's page offset, which only the kernel uses.
/// </summary>
internal static class RingBufferHeader
{
    /// <summary>BPF_RINGBUF_HDR_SZ.</summary>
    internal const int Size = 8;

    /// <summary>BPF_RINGBUF_BUSY_BIT: reserved but not yet submitted or discarded; the consumer must stop here.</summary>
    internal const uint BusyBit = 1u << 31;

    /// <summary>BPF_RINGBUF_DISCARD_BIT: the producer discarded the record; skip it but still advance past it.</summary>
    internal const uint DiscardBit = 1u << 30;

    /// <summary>The payload length without the flag bits.</summary>
    internal static uint Length(uint header) => header & ~(BusyBit | DiscardBit);

    /// <summary>Bytes the record occupies in the ring: header plus payload, rounded up to 8.</summary>
    internal static ulong Footprint(uint length) => (length + (ulong)Size + 7) & ~7UL;
}
