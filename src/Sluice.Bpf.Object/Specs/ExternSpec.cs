namespace Sluice.Bpf.Object;

/// <summary>What an extern symbol of an object stands for (libbpf's __kconfig and __ksym).</summary>
public enum ExternKind
{
    /// <summary>A .kconfig value: LINUX_KERNEL_VERSION, CONFIG_*; lives in the ".kconfig" map the loader fills.</summary>
    Kconfig,
    /// <summary>A typed kernel variable (.ksyms, Linux 5.11): ld_imm64 of its BTF id (BPF_PSEUDO_BTF_ID).</summary>
    KernelVariable,
    /// <summary>A typeless kernel symbol (<c>extern const void x __ksym</c>): ld_imm64 of its /proc/kallsyms address.</summary>
    TypelessSymbol,
    /// <summary>A kernel function (kfunc, Linux 5.13): called by BTF id (BPF_PSEUDO_KFUNC_CALL).</summary>
    KernelFunction,
}

/// <summary>An extern the object declares in its .kconfig or .ksyms BTF data section.</summary>
/// <param name="Name">The symbol, e.g. "CONFIG_HZ", "bpf_prog_active", "bpf_rcu_read_lock".</param>
/// <param name="Kind">What it is.</param>
/// <param name="IsWeak">Declared <c>__weak</c>: when the kernel lacks it, it reads as zero (or, for a kfunc, its calls must be unreachable).</param>
/// <param name="BtfTypeId">The VAR (or FUNC, for kfuncs) in the object's BTF.</param>
/// <param name="TypeId">The variable's type, or the function's prototype, in the object's BTF (0 for typeless symbols).</param>
/// <param name="Offset">For <see cref="ExternKind.Kconfig"/>: the value's offset in the ".kconfig" map.</param>
/// <param name="Size">For <see cref="ExternKind.Kconfig"/>: the value's size in bytes.</param>
public sealed record ExternSpec(string Name, ExternKind Kind, bool IsWeak, uint BtfTypeId, uint TypeId, uint Offset, uint Size);

/// <summary>An instruction that uses a .ksyms extern: an ld_imm64 (its address or BTF id), or a kfunc call.</summary>
/// <param name="InstructionIndex">The ld_imm64 or call instruction in the linked stream.</param>
/// <param name="Name">The extern's name (see <see cref="ObjectSpec.Externs"/>).</param>
/// <param name="IsCall">True for a call, false for an ld_imm64.</param>
public readonly record struct ExternReference(int InstructionIndex, string Name, bool IsCall);
