using System.Globalization;

namespace Sluice.Bpf.Object;

/// <summary>
/// Turns eBPF instructions into text in the kernel's (and bpftool's) notation: "(b7) r0 = 2",
/// "(61) r2 = *(u32 *)(r1 +4)", "(15) if r0 == 0x0 goto pc+2", "(18) r1 = map[id:12]". Pure: names of helper
/// calls come from the caller, because in verifier-translated code they are kernel addresses. Where the kernel's and
/// bpftool 7's notations differ (per-CPU address moves), bpftool's is used.
/// </summary>
public static class BpfDisassembler
{
    private static readonly string[] AluOperators =
        ["+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian", "?", "?"];

    private static readonly string[] JumpOperators =
        ["jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<=", "may_goto", "?"];

    private static readonly string[] Sizes = ["u32", "u16", "u8", "u64"];
    private static readonly string[] SignedSizes = ["s32", "s16", "s8", "s64"];

    /// <summary>
    /// The text of instruction <paramref name="index"/> of <paramref name="program"/>, and how many slots it takes
    /// (2 for ld_imm64, else 1).
    /// </summary>
    /// <param name="program">The instruction stream.</param>
    /// <param name="index">Which instruction.</param>
    /// <param name="callTarget">
    /// What a call instruction calls, as printed after "call " (e.g. "bpf_map_lookup_elem#1234", "pc+10#bpf_prog_..._f"),
    /// or null for the default: "pc+IMM" for a bpf-to-bpf call, "unknown#IMM" otherwise.
    /// </param>
    /// <param name="slots">1, or 2 for ld_imm64.</param>
    public static string Format(ReadOnlySpan<BpfInstruction> program, int index, Func<BpfInstruction, string?>? callTarget, out int slots)
    {
        var insn = program[index];
        slots = 1;
        string code = $"({insn.Opcode:x2}) ";
        int cls = insn.Opcode & 0x07;
        return code + cls switch
        {
            0x04 or 0x07 => Alu(insn, cls == 0x07),
            0x03 => Store(insn),
            0x02 => StoreImmediate(insn),
            0x01 => Load(insn),
            0x00 => LoadSpecial(program, index, ref slots),
            _ => Jump(insn, cls == 0x06, callTarget),
        };
    }

    private static string Alu(BpfInstruction insn, bool is64)
    {
        char r = is64 ? 'r' : 'w';
        int op = insn.Opcode >> 4;
        bool fromRegister = (insn.Opcode & 0x08) != 0;
        int dst = insn.DestinationRegister;
        int src = insn.SourceRegister;
        switch (op)
        {
            case 0x0d:
                // BPF_END: ALU is be/le by the source bit, ALU64 is an unconditional byte swap (v4).
                string swap = is64 ? "bswap" : fromRegister ? "be" : "le";
                return $"r{dst} = {swap}{insn.Immediate} r{dst}";
            case 0x08:
                return $"{r}{dst} = -{r}{dst}";
            case 0x0b when fromRegister && insn.Offset is 8 or 16 or 32:
                return $"{r}{dst} = (s{insn.Offset}){r}{src}";
        }
        string name = AluOperators[op];
        if (insn.Offset == 1 && op is 0x03 or 0x09) name = "s" + name;
        return fromRegister ? $"{r}{dst} {name} {r}{src}" : $"{r}{dst} {name} {Decimal(insn.Immediate)}";
    }

    private static string Store(BpfInstruction insn)
    {
        string size = Sizes[(insn.Opcode >> 3) & 0x03];
        string at = $"(r{insn.DestinationRegister} {Signed(insn.Offset)})";
        int mode = insn.Opcode & 0xe0;
        if (mode == 0x60) return $"*({size} *){at} = r{insn.SourceRegister}";
        if (mode != 0xc0) return $"BUG_stx_{insn.Opcode:x2}";
        string bits = (insn.Opcode & 0x18) == 0x18 ? "64" : "";
        int src = insn.SourceRegister;
        return insn.Immediate switch
        {
            0x00 or 0x40 or 0x50 or 0xa0 => $"lock *({size} *){at} {AluOperators[insn.Immediate >> 4]} r{src}",
            0x01 or 0x41 or 0x51 or 0xa1 => $"r{src} = atomic{bits}_fetch_{AtomicName(insn.Immediate & ~1)}(({size} *){at}, r{src})",
            0xe1 => $"r{src} = atomic{bits}_xchg(({size} *){at}, r{src})",
            0xf1 => $"r0 = atomic{bits}_cmpxchg(({size} *){at}, r0, r{src})",
            0x100 => $"r{insn.DestinationRegister} = load_acquire(({size} *)(r{src} {Signed(insn.Offset)}))",
            0x110 => $"store_release(({size} *){at}, r{src})",
            _ => $"BUG_atomic_{insn.Immediate:x2}",
        };
    }

    private static string AtomicName(int operation) => operation switch
    {
        0x00 => "add",
        0x40 => "or",
        0x50 => "and",
        _ => "xor",
    };

    private static string StoreImmediate(BpfInstruction insn)
    {
        if (insn.Opcode == 0xc2) return "nospec";
        string size = Sizes[(insn.Opcode >> 3) & 0x03];
        return $"*({size} *)(r{insn.DestinationRegister} {Signed(insn.Offset)}) = {Decimal(insn.Immediate)}";
    }

    private static string Load(BpfInstruction insn)
    {
        int mode = insn.Opcode & 0xe0;
        string size = (mode == 0x80 ? SignedSizes : Sizes)[(insn.Opcode >> 3) & 0x03];
        return $"r{insn.DestinationRegister} = *({size} *)(r{insn.SourceRegister} {Signed(insn.Offset)})";
    }

    private static string LoadSpecial(ReadOnlySpan<BpfInstruction> program, int index, ref int slots)
    {
        var insn = program[index];
        string size = Sizes[(insn.Opcode >> 3) & 0x03];
        switch (insn.Opcode & 0xe0)
        {
            case 0x20:
                return $"r0 = *({size} *)skb[{Decimal(insn.Immediate)}]";
            case 0x40:
                return $"r0 = *({size} *)skb[r{insn.SourceRegister} + {Decimal(insn.Immediate)}]";
        }
        if (insn.Opcode != 0x18) return $"BUG_ld_{insn.Opcode:x2}";
        slots = 2;
        int next = index + 1 < program.Length ? program[index + 1].Immediate : 0;
        ulong value = (uint)insn.Immediate | ((ulong)(uint)next << 32);
        string what = insn.SourceRegister switch
        {
            1 => $"map[id:{(uint)insn.Immediate}]",
            2 => $"map[id:{(uint)insn.Immediate}][0]+{(uint)next}",
            4 => $"subprog[{Signed(insn.Immediate)}]",
            5 => $"map[idx:{(uint)insn.Immediate}]",
            6 => $"map[idx:{(uint)insn.Immediate}]+{(uint)next}",
            _ => $"0x{value:x}",
        };
        return $"r{insn.DestinationRegister} = {what}";
    }

    private static string Jump(BpfInstruction insn, bool is32, Func<BpfInstruction, string?>? callTarget)
    {
        int op = insn.Opcode >> 4;
        char r = is32 ? 'w' : 'r';
        switch (op)
        {
            case 0x00:
                return is32 ? $"gotol pc{Signed(insn.Immediate)}" : $"goto pc{Signed(insn.Offset)}";
            case 0x08:
                if (callTarget?.Invoke(insn) is { } target) return $"call {target}";
                if (insn.SourceRegister == 1) return $"call pc{Signed(insn.Immediate)}";
                return $"call unknown#{Decimal(insn.Immediate)}";
            case 0x09:
                return "exit";
            case 0x0e:
                return $"may_goto pc{Signed(insn.Offset)}";
        }
        string compare = JumpOperators[op];
        string right = (insn.Opcode & 0x08) != 0 ? $"{r}{insn.SourceRegister}" : $"0x{(uint)insn.Immediate:x}";
        return $"if {r}{insn.DestinationRegister} {compare} {right} goto pc{Signed(insn.Offset)}";
    }

    private static string Decimal(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Signed(int value) => (value >= 0 ? "+" : "") + value.ToString(CultureInfo.InvariantCulture);
}
