using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>How <see cref="BpfCollection.Load(ObjectSpec, CollectionOptions?)"/> loads an object.</summary>
public sealed class CollectionOptions
{
    /// <summary>Default directory of LIBBPF_PIN_BY_NAME maps (libbpf's default too).</summary>
    public const string DefaultPinPath = "/sys/fs/bpf";

    /// <summary>
    /// Directory (on bpffs, existing) where maps marked LIBBPF_PIN_BY_NAME are looked for and pinned, as
    /// &lt;PinPath&gt;/&lt;map name&gt;.
    /// </summary>
    public string PinPath { get; init; } = DefaultPinPath;

    /// <summary>Verifier log to keep for every program (<see cref="BpfProgram.VerifierLog"/>); failures always get one.</summary>
    public VerifierLogLevel LogLevel { get; init; }

    /// <summary>First size of each verifier log buffer (it grows on ENOSPC).</summary>
    public int LogSize { get; init; } = ProgramLoadOptions.DefaultLogSize;

    /// <summary>
    /// Prefix for the kernel names of programs and maps (the names bpftool shows), e.g. "app_"; the result is
    /// still cut to 15 characters. Dictionary keys stay the object's names.
    /// </summary>
    public string? KernelNamePrefix { get; init; }

    /// <summary>
    /// Which programs to load; the others are skipped (libbpf's autoload = false). Null loads all. Maps are
    /// created either way, and prog-array slots naming a skipped program are left empty (with a warning).
    /// </summary>
    public Func<ProgramSpec, bool>? ProgramFilter { get; init; }

    /// <summary>
    /// A BTF file describing the kernel (raw BTF, or an ELF file with a .BTF section such as a vmlinux image) to resolve
    /// CO-RE relocations and externs against instead of the running kernel's /sys/kernel/btf: for kernels built
    /// without BTF, or to check an object against another kernel. Null uses the running kernel's BTF.
    /// </summary>
    public string? KernelBtfPath { get; init; }
}
