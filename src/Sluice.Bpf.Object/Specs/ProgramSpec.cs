namespace Sluice.Bpf.Object;

/// <summary>
/// A program as the object describes it: its instructions with every bpf-to-bpf callee already appended and
/// its calls resolved, plus the map references left for load time. Nothing here depends on a kernel.
/// </summary>
public sealed class ProgramSpec
{
    /// <summary>The function's symbol name (what bpftool shows, truncated by the kernel to 15 characters).</summary>
    public required string Name { get; set; }

    /// <summary>The ELF section the program came from, e.g. "xdp" or "tc/ingress".</summary>
    public required string SectionName { get; set; }

    /// <summary>Program type libbpf gives this section name.</summary>
    public BpfProgramType Type { get; set; }

    /// <summary>expected_attach_type libbpf gives this section name (0 when it gives none).</summary>
    public BpfAttachType ExpectedAttachType { get; set; }

    /// <summary>Whether <see cref="ExpectedAttachType"/> is meaningful (libbpf passes it at load only then).</summary>
    public bool HasExpectedAttachType { get; set; }

    /// <summary>prog_flags for BPF_PROG_LOAD (e.g. BPF_F_XDP_HAS_FRAGS for "xdp.frags").</summary>
    public uint Flags { get; set; }

    /// <summary>The linked instruction stream: the program, then every sub-program it calls.</summary>
    public BpfInstruction[] Instructions { get; set; } = [];

    /// <summary>ld_imm64 instructions that must be pointed at maps when loading.</summary>
    public List<MapReference> MapReferences { get; private set; } = [];

    /// <summary>The object's license string (a GPL-compatible one unlocks GPL-only helpers).</summary>
    public string License { get; set; } = "";

    /// <summary>Kernel version from the "version" section (ignored by modern kernels).</summary>
    public uint KernelVersion { get; set; }

    /// <summary>BTF func_info for the linked stream (instruction offsets in instructions, not bytes).</summary>
    public List<BtfFuncInfo> FuncInfos { get; private set; } = [];

    /// <summary>BTF line_info for the linked stream (instruction offsets in instructions, not bytes).</summary>
    public List<BtfLineInfo> LineInfos { get; private set; } = [];

    /// <summary>
    /// Number of BTF CO-RE relocation records (.BTF.ext core_relo) in the linked stream. The object layer does not
    /// apply them: the instructions keep the offsets the compiler's headers gave. A loader that cannot apply them
    /// against the running kernel's BTF should refuse a program where this is non-zero, or accept the risk knowingly.
    /// </summary>
    public int CoreRelocationCount { get; set; }

    /// <summary>A copy independent of this one.</summary>
    public ProgramSpec Clone()
    {
        var copy = (ProgramSpec)MemberwiseClone();
        copy.Instructions = [.. Instructions];
        copy.MapReferences = [.. MapReferences];
        copy.FuncInfos = [.. FuncInfos];
        copy.LineInfos = [.. LineInfos];
        return copy;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({SectionName}, {Type}, {Instructions.Length} insns)";
}

/// <summary>A bpf_func_info record: function at <paramref name="InstructionOffset"/> has BTF FUNC type <paramref name="TypeId"/>.</summary>
public readonly record struct BtfFuncInfo(uint InstructionOffset, uint TypeId);

/// <summary>
/// A bpf_line_info record. Offsets are into the BTF string section, as the kernel wants them; the resolved
/// <paramref name="FileName"/>, <paramref name="SourceLine"/>, <paramref name="LineNumber"/> and
/// <paramref name="Column"/> serve diagnostics.
/// </summary>
public readonly record struct BtfLineInfo(
    uint InstructionOffset, uint FileNameOffset, uint LineOffset, uint LineNumber, uint Column,
    string FileName, string SourceLine)
{
    /// <summary>line_col as the kernel packs it: line number in the upper 22 bits, column in the lower 10.</summary>
    public uint PackedLineColumn => (LineNumber << 10) | (Column & 0x3ff);
}
