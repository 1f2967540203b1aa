namespace Sluice.Bpf.Object.Elf;

/// <summary>The few ELF constants a BPF relocatable object uses (values from the ELF gABI).</summary>
internal static class ElfConstants
{
    public const int HeaderSize = 64;
    public const int SectionHeaderSize = 64;
    public const int SymbolSize = 24;
    public const int RelocationSize = 16;

    public const byte Class64 = 2;
    public const byte DataLittleEndian = 1;
    public const ushort TypeRelocatable = 1;
    public const ushort MachineBpf = 247;

    public const uint SectionNull = 0;
    public const uint SectionProgBits = 1;
    public const uint SectionSymbolTable = 2;
    public const uint SectionStringTable = 3;
    public const uint SectionRel = 9;
    public const uint SectionNoBits = 8;

    public const ulong FlagWrite = 0x1;
    public const ulong FlagAlloc = 0x2;
    public const ulong FlagExecute = 0x4;

    public const ushort SectionIndexUndefined = 0;
    public const ushort SectionIndexReserveLow = 0xff00;
    public const ushort SectionIndexExtended = 0xffff;

    public const byte SymbolNoType = 0;
    public const byte SymbolObject = 1;
    public const byte SymbolFunction = 2;
    public const byte SymbolSection = 3;

    public const byte BindLocal = 0;
    public const byte BindGlobal = 1;
    public const byte BindWeak = 2;

    public const byte VisibilityHidden = 2;
    public const byte VisibilityInternal = 1;

    /// <summary>R_BPF_64_64: the 64-bit immediate of an ld_imm64 (maps, global data, function addresses).</summary>
    public const uint RelocationBpf64 = 1;
    /// <summary>R_BPF_64_ABS64, data relocations (e.g. .values of a map-in-map in .rel.maps).</summary>
    public const uint RelocationBpfAbs64 = 2;
    /// <summary>R_BPF_64_ABS32 (debug info only).</summary>
    public const uint RelocationBpfAbs32 = 3;
    /// <summary>R_BPF_64_32: the immediate of a bpf-to-bpf call.</summary>
    public const uint RelocationBpf32 = 10;

    /// <summary>Human name of an e_machine value, for the "wrong machine" message.</summary>
    public static string MachineName(ushort machine) => machine switch
    {
        0 => "none",
        3 => "x86",
        8 => "MIPS",
        20 => "PowerPC",
        21 => "PowerPC64",
        22 => "S/390",
        40 => "ARM",
        62 => "x86-64",
        183 => "AArch64",
        243 => "RISC-V",
        247 => "BPF",
        258 => "LoongArch",
        _ => "unknown",
    };
}
