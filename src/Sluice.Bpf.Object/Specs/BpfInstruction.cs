using System.Runtime.InteropServices;

namespace Sluice.Bpf.Object;

/// <summary>One 8-byte eBPF instruction, laid out exactly as the kernel reads it (struct bpf_insn).</summary>
[StructLayout(LayoutKind.Sequential, Size = 8)]
public struct BpfInstruction : IEquatable<BpfInstruction>
{
    /// <summary>Opcode: class, size/source and operation bits.</summary>
    public byte Opcode;
    private byte _registers;
    /// <summary>Signed offset (jumps, memory access).</summary>
    public short Offset;
    /// <summary>Signed 32-bit immediate.</summary>
    public int Immediate;

    /// <summary>Destination register (low nibble).</summary>
    public byte DestinationRegister
    {
        readonly get => (byte)(_registers & 0x0f);
        set => _registers = (byte)((_registers & 0xf0) | (value & 0x0f));
    }

    /// <summary>Source register (high nibble); for ld_imm64 it says what the immediate refers to.</summary>
    public byte SourceRegister
    {
        readonly get => (byte)(_registers >> 4);
        set => _registers = (byte)((_registers & 0x0f) | (value << 4));
    }

    /// <summary>True for the first half of a 16-byte <c>lddw</c> (BPF_LD | BPF_IMM | BPF_DW).</summary>
    public readonly bool IsLoadImmediate64 => Opcode == 0x18;

    /// <summary>True for a call to another BPF function in the same object (BPF_JMP | BPF_CALL, src = BPF_PSEUDO_CALL).</summary>
    public readonly bool IsPseudoCall => Opcode == 0x85 && SourceRegister == 1;

    /// <summary>True for a helper call (BPF_JMP | BPF_CALL, src = 0); <see cref="Immediate"/> is the helper id.</summary>
    public readonly bool IsHelperCall => Opcode == 0x85 && SourceRegister == 0;

    /// <summary>True for exit.</summary>
    public readonly bool IsExit => Opcode == 0x95;

    /// <inheritdoc />
    public readonly bool Equals(BpfInstruction other) =>
        Opcode == other.Opcode && _registers == other._registers && Offset == other.Offset && Immediate == other.Immediate;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is BpfInstruction other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(Opcode, _registers, Offset, Immediate);

    /// <summary>Equality.</summary>
    public static bool operator ==(BpfInstruction left, BpfInstruction right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(BpfInstruction left, BpfInstruction right) => !left.Equals(right);

    /// <inheritdoc />
    public override readonly string ToString() =>
        $"op=0x{Opcode:x2} dst=r{DestinationRegister} src=r{SourceRegister} off={Offset} imm={Immediate}";
}
