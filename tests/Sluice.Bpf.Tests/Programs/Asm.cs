using Sluice.Bpf.Object;

namespace Sluice.Bpf.Tests.Programs;

/// <summary>A few eBPF instruction encoders, enough to hand-assemble test programs without the object reader.</summary>
internal static class Asm
{
    internal const byte R0 = 0, R1 = 1, R2 = 2, R3 = 3, R10 = 10;

    internal static BpfInstruction Insn(byte opcode, byte dst = 0, byte src = 0, short offset = 0, int imm = 0)
    {
        var insn = new BpfInstruction { Opcode = opcode, Offset = offset, Immediate = imm };
        insn.DestinationRegister = dst;
        insn.SourceRegister = src;
        return insn;
    }

    /// <summary>dst = imm (64-bit).</summary>
    internal static BpfInstruction MovImm(byte dst, int imm) => Insn(0xb7, dst, imm: imm);

    /// <summary>dst = src (64-bit).</summary>
    internal static BpfInstruction MovReg(byte dst, byte src) => Insn(0xbf, dst, src);

    /// <summary>dst += imm (64-bit).</summary>
    internal static BpfInstruction AddImm(byte dst, int imm) => Insn(0x07, dst, imm: imm);

    /// <summary>dst = *(u32 *)(src + offset).</summary>
    internal static BpfInstruction LoadWord(byte dst, byte src, short offset) => Insn(0x61, dst, src, offset);

    /// <summary>*(u32 *)(dst + offset) = src.</summary>
    internal static BpfInstruction StoreWord(byte dst, short offset, byte src) => Insn(0x63, dst, src, offset);

    /// <summary>*(u32 *)(dst + offset) = imm.</summary>
    internal static BpfInstruction StoreWordImm(byte dst, short offset, int imm) => Insn(0x62, dst, offset: offset, imm: imm);

    /// <summary>lock *(u64 *)(dst + offset) += src.</summary>
    internal static BpfInstruction AtomicAdd64(byte dst, short offset, byte src) => Insn(0xdb, dst, src, offset);

    /// <summary>if dst == imm goto +offset.</summary>
    internal static BpfInstruction JumpIfEqual(byte dst, int imm, short offset) => Insn(0x15, dst, offset: offset, imm: imm);

    /// <summary>Call helper <paramref name="helper"/>.</summary>
    internal static BpfInstruction Call(int helper) => Insn(0x85, imm: helper);

    internal static BpfInstruction Exit() => Insn(0x95);

    /// <summary>The two halves of an ld_imm64 with a zero immediate (a map reference fills it in).</summary>
    internal static BpfInstruction[] LoadImm64(byte dst) => [Insn(0x18, dst), Insn(0)];

    /// <summary>A program spec around <paramref name="instructions"/>.</summary>
    internal static ProgramSpec Program(string name, BpfProgramType type, string license, params BpfInstruction[] instructions) =>
        new() { Name = name, SectionName = type.ToString().ToLowerInvariant(), Type = type, License = license, Instructions = instructions };
}
