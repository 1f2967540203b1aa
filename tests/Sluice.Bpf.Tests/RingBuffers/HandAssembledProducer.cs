using Sluice.Bpf.Object;
using static Sluice.Bpf.Tests.Programs.Asm;

namespace Sluice.Bpf.Tests.RingBuffers;

/// <summary>What the producer does with each reservation.</summary>
internal enum ProducerMode
{
    /// <summary>Submit every record.</summary>
    Submit,
    /// <summary>Discard records with odd sequence numbers, submit even ones.</summary>
    DiscardOdd,
}

/// <summary>
/// A ring buffer producer assembled by hand, so the reader's tests need neither clang output nor the object
/// reader: an XDP program that, per run, takes the next sequence number from an array map, reserves a record of a
/// fixed length and writes the sequence number at offset 0, the record length at offset 8 and the complemented
/// sequence number in the last 8-byte slot (so a record that wraps the ring is checked end to end).
/// A failed reservation (ring full) is counted as dropped: emitted = submitted + discarded + dropped.
/// </summary>
internal sealed class HandAssembledProducer : IDisposable
{
    private const byte R6 = 6, R7 = 7, R8 = 8;
    private const int LookupElem = 1, RingbufReserve = 131, RingbufSubmit = 132, RingbufDiscard = 133;
    private static readonly byte[] Packet = new byte[64];

    private readonly BpfMap _state;
    private readonly BpfProgram _program;

    public HandAssembledProducer(uint ringSize, int recordLength = 16, ProducerMode mode = ProducerMode.Submit)
    {
        if (recordLength < 24 && recordLength != 16 && recordLength != 8)
            throw new ArgumentOutOfRangeException(nameof(recordLength), "8, 16 or at least 24 bytes");
        RecordLength = recordLength;
        Ring = BpfMap.Create(new MapSpec { Name = "test_ring", Type = BpfMapType.RingBuf, MaxEntries = ringSize });
        _state = BpfMap.Create(new MapSpec { Name = "test_state", Type = BpfMapType.Array, KeySize = 4, ValueSize = 16, MaxEntries = 1 });
        var spec = Assemble(recordLength, mode);
        _program = BpfProgram.Load(spec, new Dictionary<string, BpfMap> { ["state"] = _state, ["ring"] = Ring });
    }

    public BpfMap Ring { get; }

    public int RecordLength { get; }

    /// <summary>Runs the program <paramref name="runs"/> times (one BPF_PROG_TEST_RUN), one record per run.</summary>
    public void Run(int runs) => _program.TestRun(Packet, repeat: runs);

    /// <summary>Sequence numbers handed out so far, and reservations that failed because the ring was full.</summary>
    public (ulong Emitted, ulong Dropped) Counters()
    {
        var value = new byte[16];
        if (!_state.TryLookup(new byte[4], value)) throw new InvalidOperationException("state entry missing");
        return (BitConverter.ToUInt64(value, 0), BitConverter.ToUInt64(value, 8));
    }

    /// <summary>Checks a record's layout; returns its sequence number.</summary>
    public static ulong Verify(ReadOnlySpan<byte> record, int expectedLength)
    {
        if (record.Length != expectedLength) throw new InvalidDataException($"record of {record.Length} bytes, expected {expectedLength}");
        ulong sequence = BitConverter.ToUInt64(record);
        if (expectedLength >= 16 && BitConverter.ToUInt64(record[8..]) != (ulong)expectedLength)
            throw new InvalidDataException($"record {sequence}: length marker {BitConverter.ToUInt64(record[8..])}");
        int last = (expectedLength - 8) & ~7;
        if (expectedLength >= 24 && BitConverter.ToUInt64(record[last..]) != ~sequence)
            throw new InvalidDataException($"record {sequence}: tail marker wrong (wrapped record corrupted?)");
        return sequence;
    }

    private static ProgramSpec Assemble(int recordLength, ProducerMode mode)
    {
        var code = new List<BpfInstruction>();
        var jumpsToDrop = new List<int>();
        var jumpsToExit = new List<int>();
        var references = new List<MapReference>();

        code.Add(MovReg(R6, R1));
        // r7 = &state[0]
        code.Add(StoreWordImm(R10, -4, 0));
        code.Add(MovReg(R2, R10));
        code.Add(AddImm(R2, -4));
        references.Add(new MapReference(code.Count, "state", MapReferenceKind.Map, 0));
        code.AddRange(LoadImm64(R1));
        code.Add(Call(LookupElem));
        jumpsToExit.Add(code.Count);
        code.Add(JumpIfEqual(R0, 0, 0));
        code.Add(MovReg(R7, R0));
        // r8 = atomic_fetch_add(&state->sequence, 1) + 1
        code.Add(MovImm(R1, 1));
        code.Add(Insn(0xdb, R7, R1, 0, imm: 0x01)); // BPF_ATOMIC | BPF_DW, BPF_ADD | BPF_FETCH
        code.Add(AddImm(R1, 1));
        code.Add(MovReg(R8, R1));
        // r0 = bpf_ringbuf_reserve(&ring, recordLength, 0)
        references.Add(new MapReference(code.Count, "ring", MapReferenceKind.Map, 0));
        code.AddRange(LoadImm64(R1));
        code.Add(MovImm(R2, recordLength));
        code.Add(MovImm(R3, 0));
        code.Add(Call(RingbufReserve));
        jumpsToDrop.Add(code.Count);
        code.Add(JumpIfEqual(R0, 0, 0));
        code.Add(Insn(0x7b, R0, R8, 0)); // *(u64 *)(r0 + 0) = r8
        if (recordLength >= 16) code.Add(Insn(0x7a, R0, offset: 8, imm: recordLength)); // *(u64 *)(r0 + 8) = length
        if (recordLength >= 24)
        {
            code.Add(MovReg(R2, R8));
            code.Add(Insn(0xa7, R2, imm: -1)); // r2 ^= -1
            code.Add(Insn(0x7b, R0, R2, (short)((recordLength - 8) & ~7)));
        }
        code.Add(MovReg(R1, R0));
        code.Add(MovImm(R2, 0));
        if (mode == ProducerMode.DiscardOdd)
        {
            code.Add(MovReg(R3, R8));
            code.Add(Insn(0x57, R3, imm: 1)); // r3 &= 1
            code.Add(JumpIfEqual(R3, 0, 2));
            code.Add(Call(RingbufDiscard));
            code.Add(Insn(0x05, offset: 1)); // goto +1 (past the submit)
        }
        code.Add(Call(RingbufSubmit));
        jumpsToExit.Add(code.Count);
        code.Add(Insn(0x05)); // goto exit
        int drop = code.Count;
        code.Add(MovImm(R1, 1));
        code.Add(AtomicAdd64(R7, 8, R1));
        int exit = code.Count;
        code.Add(MovImm(R0, (int)XdpAction.Pass));
        code.Add(Exit());

        foreach (int at in jumpsToDrop) Patch(code, at, drop);
        foreach (int at in jumpsToExit) Patch(code, at, exit);
        var spec = Program("rb_producer", BpfProgramType.Xdp, "GPL", [.. code]);
        spec.MapReferences.AddRange(references);
        return spec;
    }

    private static void Patch(List<BpfInstruction> code, int at, int target)
    {
        var jump = code[at];
        jump.Offset = (short)(target - at - 1);
        code[at] = jump;
    }

    public void Dispose()
    {
        _program.Dispose();
        _state.Dispose();
        Ring.Dispose();
    }
}
