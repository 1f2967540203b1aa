using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Attaches Kprobe-type programs to user-space functions through the uprobe perf PMU and a perf event link
/// (Linux 4.17 / 5.15). The function is found in the binary's ELF symbols (.symtab, else .dynsym) and probed at
/// its file offset, so it fires in every process that maps that file, or only in <c>pid</c> when one is given.
/// </summary>
public static class Uprobe
{
    /// <summary>Whether this kernel has the uprobe PMU (CONFIG_UPROBE_EVENTS).</summary>
    public static bool IsSupported => ProbePmu.Exists("uprobe");

    /// <summary>Attaches <paramref name="program"/>; see the fd overload.</summary>
    public static PerfEventLink Attach(BpfProgram program, string binaryPath, string function, ulong offset = 0,
        bool isReturn = false, int pid = -1) => Attach(program?.Fd!, binaryPath, function, offset, isReturn, pid);

    /// <summary>
    /// Attaches at <paramref name="function"/>+<paramref name="offset"/> in <paramref name="binaryPath"/> (an
    /// executable or shared library), or at its return when <paramref name="isReturn"/>.
    /// </summary>
    /// <param name="program">A Kprobe program (SEC("uprobe/...")).</param>
    /// <param name="binaryPath">The ELF file; resolved to an absolute path.</param>
    /// <param name="function">A function symbol in it.</param>
    /// <param name="offset">Bytes past the function's start.</param>
    /// <param name="isReturn">Probe the function's return (uretprobe).</param>
    /// <param name="pid">Only this process; -1 for every process.</param>
    /// <exception cref="FileNotFoundException">No such binary.</exception>
    /// <exception cref="BpfObjectException">The file is not ELF or has no such function.</exception>
    /// <exception cref="BpfNotSupportedException">The kernel has no uprobes.</exception>
    /// <exception cref="BpfAttachException">Wrong program type or the kernel refused.</exception>
    public static PerfEventLink Attach(BpfFd program, string binaryPath, string function, ulong offset = 0,
        bool isReturn = false, int pid = -1)
    {
        ArgumentException.ThrowIfNullOrEmpty(binaryPath);
        ArgumentException.ThrowIfNullOrEmpty(function);
        string path = Path.GetFullPath(binaryPath);
        string hook = $"{(isReturn ? "uretprobe" : "uprobe")} {path}:{function}{(offset == 0 ? "" : $"+{offset}")}";
        var identity = TracingErrors.CheckProgramType(program, hook, BpfProgramType.Kprobe);
        if (!IsSupported)
            throw new BpfNotSupportedException("uprobes", "4.17", "the kernel was built without CONFIG_UPROBE_EVENTS (there is no uprobe PMU)");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such binary to probe", path);
        ulong fileOffset = ExecutableSymbols.FunctionOffset(File.ReadAllBytes(path), function, path) + offset;
        int perfFd = ProbePmu.Open("uprobe", path, fileOffset, isReturn, pid, identity, hook);
        return PerfEventLink.Create(program, identity, perfFd, hook);
    }
}
