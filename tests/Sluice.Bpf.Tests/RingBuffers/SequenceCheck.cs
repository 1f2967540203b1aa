namespace Sluice.Bpf.Tests.RingBuffers;

/// <summary>Reads a record's sequence number, throwing <see cref="InvalidDataException"/> when its layout is wrong.</summary>
internal delegate ulong RecordDecoder(ReadOnlySpan<byte> record);

/// <summary>
/// Checks that sequence numbers only increase and counts records; meant for a static handler with this as state,
/// so checking allocates nothing. Failures are recorded (first one wins) rather than thrown from the handler.
/// </summary>
internal sealed class SequenceCheck
{
    /// <summary>The marker ringbuf_seq.bpf.c writes at offset 8 of each 16-byte record.</summary>
    public const ulong FixtureMarker = 0x5eb1ceda7a000000UL;

    private readonly RecordDecoder _decode;

    /// <summary>For the hand-assembled producer's records of <paramref name="recordLength"/> bytes.</summary>
    public SequenceCheck(int recordLength) => _decode = record => HandAssembledProducer.Verify(record, recordLength);

    /// <summary>For records decoded by <paramref name="decode"/>.</summary>
    public SequenceCheck(RecordDecoder decode) => _decode = decode;

    /// <summary>For ringbuf_seq.bpf.c's 16-byte records: sequence number, then <see cref="FixtureMarker"/>.</summary>
    public static SequenceCheck ForFixture() => new(static record =>
    {
        if (record.Length != 16 || BitConverter.ToUInt64(record[8..]) != FixtureMarker)
            throw new InvalidDataException($"unexpected record of {record.Length} bytes");
        return BitConverter.ToUInt64(record);
    });

    public ulong Received { get; private set; }

    public ulong Last { get; private set; }

    public string? Error { get; private set; }

    public void Accept(ReadOnlySpan<byte> record)
    {
        ulong sequence;
        try
        {
            sequence = _decode(record);
        }
        catch (InvalidDataException error)
        {
            Error ??= error.Message;
            return;
        }
        if (sequence <= Last) Error ??= $"sequence {sequence} after {Last}";
        Last = sequence;
        Received++;
    }
}
