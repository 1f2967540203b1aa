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

    /// <summary>
    /// Instructions that use .ksyms externs (kernel variables, typeless symbols, kfuncs), for the loader to point at
    /// the kernel; .kconfig externs are ordinary <see cref="MapReferences"/> into the ".kconfig" map.
    /// </summary>
    public List<ExternReference> ExternReferences { get; private set; } = [];

    /// <summary>The object's license string (a GPL-compatible one unlocks GPL-only helpers).</summary>
    public string License { get; set; } = "";

    /// <summary>Kernel version from the "version" section (ignored by modern kernels).</summary>
    public uint KernelVersion { get; set; }

    /// <summary>BTF func_info for the linked stream (instruction offsets in instructions, not bytes).</summary>
    public List<BtfFuncInfo> FuncInfos { get; private set; } = [];

    /// <summary>BTF line_info for the linked stream (instruction offsets in instructions, not bytes).</summary>
    public List<BtfLineInfo> LineInfos { get; private set; } = [];

    /// <summary>
    /// The CO-RE relocation records (.BTF.ext core_relo) of the linked stream, not yet applied: the instructions keep
    /// the offsets the compiler's headers gave until <see cref="CoreRelocator"/> (which the collection loader runs
    /// against the kernel's BTF) patches a copy. A program with records here must not be loaded as is.
    /// </summary>
    public List<CoreRelocation> CoreRelocations { get; private set; } = [];

    /// <summary>Number of <see cref="CoreRelocations"/>.</summary>
    public int CoreRelocationCount => CoreRelocations.Count;

    /// <summary>
    /// Instructions replaced by calls to non-existent helpers because what they needed (a CO-RE relocation, a weak
    /// kfunc) is not in this kernel: harmless unless reachable, and then the loader reports these descriptions.
    /// </summary>
    public List<PoisonedInstruction> PoisonedInstructions { get; private set; } = [];

    /// <summary>A copy independent of this one.</summary>
    public ProgramSpec Clone()
    {
        var copy = (ProgramSpec)MemberwiseClone();
        copy.Instructions = [.. Instructions];
        copy.MapReferences = [.. MapReferences];
        copy.ExternReferences = [.. ExternReferences];
        copy.FuncInfos = [.. FuncInfos];
        copy.LineInfos = [.. LineInfos];
        copy.CoreRelocations = [.. CoreRelocations];
        copy.PoisonedInstructions = [.. PoisonedInstructions];
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
