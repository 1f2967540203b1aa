namespace Sluice.Bpf;

/// <summary>
/// Receives one ring buffer record in place. The span points into the kernel's mapping and is valid only for the
/// duration of the call: copy what you keep.
/// </summary>
public delegate void RingBufferRecordHandler(ReadOnlySpan<byte> record);
