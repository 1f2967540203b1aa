namespace Sluice.Bpf.Object;

/// <summary>What a CO-RE relocation asks for (enum bpf_core_relo_kind in uapi/linux/bpf.h).</summary>
public enum CoreRelocationKind : uint
{
    /// <summary>Byte offset of a field (bpf_core_field_offset, BPF_CORE_READ).</summary>
    FieldByteOffset = 0,
    /// <summary>Byte size of a field (for bitfields: the size of the load that covers it).</summary>
    FieldByteSize = 1,
    /// <summary>1 when the field exists in the target, else 0.</summary>
    FieldExists = 2,
    /// <summary>1 when the field is signed (int encoding or signed enum).</summary>
    FieldSigned = 3,
    /// <summary>Left shift that moves a bitfield to the top of a u64 (BPF_CORE_READ_BITFIELD).</summary>
    FieldLShiftU64 = 4,
    /// <summary>Right shift that brings a bitfield back down from the top of a u64.</summary>
    FieldRShiftU64 = 5,
    /// <summary>The type's id in the object's own BTF.</summary>
    TypeIdLocal = 6,
    /// <summary>The matching type's id in the target (kernel) BTF.</summary>
    TypeIdTarget = 7,
    /// <summary>1 when a compatible type exists in the target.</summary>
    TypeExists = 8,
    /// <summary>Size of the matching target type.</summary>
    TypeSize = 9,
    /// <summary>1 when the enumerator exists in the target enum.</summary>
    EnumValueExists = 10,
    /// <summary>The enumerator's value in the target.</summary>
    EnumValueValue = 11,
    /// <summary>1 when a type that matches field by field (stricter than compatible) exists in the target.</summary>
    TypeMatches = 12,
}

/// <summary>
/// One .BTF.ext core_relo record, moved to the program's linked stream.
/// </summary>
/// <param name="InstructionIndex">The instruction to patch (an ALU immediate, a load/store offset or an ld_imm64).</param>
/// <param name="TypeId">The root type in the object's BTF.</param>
/// <param name="AccessString">The access path, e.g. "0:1:0" (array index, then member or array indexes).</param>
/// <param name="Kind">What is asked for.</param>
public readonly record struct CoreRelocation(int InstructionIndex, uint TypeId, string AccessString, CoreRelocationKind Kind);

/// <summary>
/// An instruction the loader replaced by a call to a helper that does not exist, because the relocation or extern it
/// carries could not be resolved for this kernel (libbpf's poisoning): the verifier refuses the program only when the
/// instruction is reachable, and the loader then reports <see cref="Description"/>.
/// </summary>
/// <param name="InstructionIndex">The poisoned instruction.</param>
/// <param name="HelperId">The invalid helper id the call names (0xbad2310 for CO-RE, 2002000000 + n for kfuncs).</param>
/// <param name="Description">What could not be resolved, e.g. "field byte offset of struct task_struct.pid: the kernel's struct task_struct has no such field".</param>
public readonly record struct PoisonedInstruction(int InstructionIndex, int HelperId, string Description);
