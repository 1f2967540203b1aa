namespace Sluice.Bpf;

/// <summary>Kernel-side inputs to <see cref="BpfProgram.Load"/> that a <see cref="Sluice.Bpf.Object.ProgramSpec"/> cannot carry.</summary>
public sealed class ProgramLoadOptions
{
    /// <summary>Default first size of the verifier log buffer when a log is requested.</summary>
    public const int DefaultLogSize = 64 * 1024;

    /// <summary>
    /// Loaded object BTF whose FUNC/line records the spec's FuncInfos/LineInfos refer to. Null loads the program
    /// without func_info/line_info (allowed: BTF is optional for programs with only static sub-programs).
    /// </summary>
    public BpfBtf? Btf { get; init; }

    /// <summary>
    /// Verifier log to keep on success (<see cref="BpfProgram.VerifierLog"/>). With <see cref="VerifierLogLevel.None"/>
    /// the load is attempted without a log (fast) and only a failure is repeated with one.
    /// </summary>
    public VerifierLogLevel LogLevel { get; init; }

    /// <summary>First size of the log buffer in bytes; it grows on ENOSPC up to the kernel's limit (1 GiB).</summary>
    public int LogSize { get; init; } = DefaultLogSize;

    /// <summary>Name to give the kernel object (default: the spec's name; sanitised to [A-Za-z0-9_.], 15 characters).</summary>
    public string? KernelName { get; init; }

    /// <summary>
    /// attach_btf_id to load with, overriding the one found from the section name in the kernel's BTF (tp_btf,
    /// fentry, fexit, fmod_ret, lsm). Null (the default) looks it up.
    /// </summary>
    public uint? AttachBtfId { get; init; }
}
