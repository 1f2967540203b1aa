namespace Sluice.Bpf.Object;

/// <summary>Why a CO-RE relocation or an extern could not be applied.</summary>
public enum CoreFailureKind
{
    /// <summary>The object's BTF or access string is malformed (the compiler and the BTF disagree).</summary>
    InvalidRelocation,
    /// <summary>Several target types match and give different answers.</summary>
    Ambiguous,
    /// <summary>The instruction does not hold the value the compiler should have put there, or cannot take the new one.</summary>
    UnexpectedInstruction,
    /// <summary>A reachable instruction depends on something this kernel lacks (a poisoned relocation or kfunc).</summary>
    Unresolved,
    /// <summary>The program has CO-RE relocations and was given to a loader path that cannot apply them.</summary>
    NotApplied,
    /// <summary>There is no target BTF to resolve against (the kernel has none and no file was given).</summary>
    NoTargetBtf,
    /// <summary>A non-weak extern (.kconfig value, ksym, kfunc) does not exist on this kernel, or has another type.</summary>
    MissingExtern,
}

/// <summary>
/// A CO-RE relocation or extern could not be applied. The message names the program, the C source line when the
/// object has line info, and what was asked for (e.g. "struct task_struct.pid").
/// </summary>
public sealed class BpfCoreRelocationException : InvalidOperationException
{
    /// <summary>Creates the exception with a complete message.</summary>
    public BpfCoreRelocationException(CoreFailureKind kind, string programName, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        ProgramName = programName;
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public BpfCoreRelocationException() : base("CO-RE relocation failed") { ProgramName = ""; }

    /// <summary>Creates the exception with a message.</summary>
    public BpfCoreRelocationException(string message) : base(message) { ProgramName = ""; }

    /// <summary>Creates the exception with a message and cause.</summary>
    public BpfCoreRelocationException(string message, Exception inner) : base(message, inner) { ProgramName = ""; }

    /// <summary>Why.</summary>
    public CoreFailureKind Kind { get; }

    /// <summary>The program whose relocation failed ("" when not about one program).</summary>
    public string ProgramName { get; }
}
