namespace Sluice.Bpf.Object;

/// <summary>How an ld_imm64 instruction refers to a map; the loader turns it into a kernel fd.</summary>
public enum MapReferenceKind
{
    /// <summary>The map itself (BPF_PSEUDO_MAP_FD): a map pointer for helpers.</summary>
    Map = 1,
    /// <summary>An address inside the map's first value (BPF_PSEUDO_MAP_VALUE): global data.</summary>
    Value = 2,
}

/// <summary>
/// A relocation left for load time: instruction <see cref="InstructionIndex"/> (the first half of an ld_imm64)
/// must point at map <see cref="MapName"/>, at <see cref="Offset"/> bytes into its value for
/// <see cref="MapReferenceKind.Value"/>.
/// </summary>
/// <remarks>
/// The reader leaves the ld_imm64 ready for the loader: the first half's immediate is 0 and its source register 0;
/// for <see cref="MapReferenceKind.Value"/> the second half's immediate already holds <see cref="Offset"/> (the
/// variable's offset in the section plus any constant the compiler folded into the load). The loader writes the
/// map fd into the first half's immediate and sets its source register to BPF_PSEUDO_MAP_FD (1) for
/// <see cref="MapReferenceKind.Map"/> or BPF_PSEUDO_MAP_VALUE (2) for <see cref="MapReferenceKind.Value"/>.
/// </remarks>
public sealed record MapReference(int InstructionIndex, string MapName, MapReferenceKind Kind, uint Offset);
