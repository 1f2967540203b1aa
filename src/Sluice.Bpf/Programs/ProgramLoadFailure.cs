using Sluice.Bpf.Diagnostics;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>Builds the exception for a failed BPF_PROG_LOAD: a verifier rejection when there is a log, else an errno with a hint.</summary>
internal static class ProgramLoadFailure
{
    private const int EACCES = 13;
    private const int E2BIG = 7;

    /// <summary>
    /// When the verifier stopped at an instruction the loader poisoned (an unresolvable CO-RE relocation or weak kfunc),
    /// the loader's own omission, named with the program, C line and what was missing; else null.
    /// </summary>
    internal static BpfCoreRelocationException? PoisonReached(ProgramSpec spec, int errno, string? log)
    {
        if (string.IsNullOrWhiteSpace(log) || PoisonedInstructionReached(spec, log) is not { } poisoned) return null;
        // The verifier only saw "invalid func unknown#..."; what it refused is the loader's own placeholder.
        var rejection = new BpfVerifierException(spec.Name, errno, $"program '{spec.Name}' rejected by the verifier", log);
        return new BpfCoreRelocationException(CoreFailureKind.Unresolved, spec.Name,
            $"{CoreRelocator.Where(spec, poisoned.InstructionIndex)}: {poisoned.Description}, and the instruction is reachable",
            rejection);
    }

    /// <summary>
    /// Kernel refusals that mean the loader left out something the program type needs, not that the program is wrong:
    /// the log line, and what the loader did not provide.
    /// </summary>
    private static readonly (string LogLine, string Omission)[] LoaderOmissions =
    [
        ("Tracing programs must provide btf_id", "its attach target (attach_btf_id, the kernel BTF id of the function or tracepoint it attaches to)"),
        ("Syscall programs can only be sleepable", "the sleepable flag (BPF_F_SLEEPABLE) this program type needs"),
        ("Only fentry/fexit/fmod_ret, lsm, iter, uprobe, and struct_ops programs can be sleepable", "a sleepable-capable program type for this sleepable program"),
        ("attach_btf_id", "a valid attach target (attach_btf_id)"),
    ];

    /// <summary>
    /// fentry/fexit/fmod_ret/lsm/freplace programs that a privileged caller could not load because the kernel refuses
    /// BPF trampolines (EPERM before verifying, as on kernels whose ftrace cannot attach them): a missing feature,
    /// not a verifier verdict. Null for every other failure.
    /// </summary>
    internal static BpfNotSupportedException? TrampolinesRefused(ProgramSpec spec, int errno)
    {
        if (errno != Libc.EPERM || !Privileges.IsRoot) return null;
        var hook = TracingSection.Parse(spec.SectionName)?.Hook;
        bool trampoline = spec.Type == BpfProgramType.Ext || hook is TracingHook.Fentry or TracingHook.Fexit
            or TracingHook.ModifyReturn or TracingHook.Lsm;
        if (!trampoline) return null;
        return new BpfNotSupportedException($"BPF trampolines (fentry/fexit/fmod_ret/lsm/freplace; program '{spec.Name}', section '{spec.SectionName}')",
            "5.5", "the kernel refused to load the program with EPERM although the caller is root, so it cannot attach BPF trampolines here");
    }

    internal static BpfException Create(ProgramSpec spec, int errno, string? log)
    {
        if (!string.IsNullOrWhiteSpace(log) &&
            LoaderOmissions.FirstOrDefault(o => log.Contains(o.LogLine, StringComparison.Ordinal)) is { Omission: not null } omission)
        {
            // Not a verdict on the program: the kernel stopped before verifying because the load request lacked something.
            return new BpfException("BPF_PROG_LOAD", errno,
                $"program '{spec.Name}' (section '{spec.SectionName}'): the loader did not give the kernel {omission.Omission}, " +
                $"so the kernel refused the load before verifying it (kernel log: {LastLine(log)})");
        }
        if (!string.IsNullOrWhiteSpace(log))
        {
            // The first line stays "<program> rejected: <reason>"; the diagnostic adds the C line, instruction and hint.
            var diagnostic = VerifierDiagnostic.Parse(log, spec);
            string message = $"program '{spec.Name}' rejected by the verifier: {diagnostic.Reason}\n{diagnostic.Render()}";
            return new BpfVerifierException(spec.Name, errno, message, log) { Diagnostic = diagnostic };
        }
        var error = BpfException.FromErrno(BpfCommand.ProgLoad, errno, $"program '{spec.Name}' ({spec.Type})");
        string? hint = errno switch
        {
            Libc.EINVAL => "the kernel refused the load attributes without verifying: the program type, expected attach " +
                "type, flags or BTF func/line info may be unknown to this kernel",
            EACCES => "the kernel refused without a verifier log (unprivileged BPF disabled, or a lockdown policy)",
            E2BIG => "the program or its attributes are larger than this kernel accepts",
            _ => null,
        };
        return hint is null ? error : new BpfException(error.Command, errno, $"{error.Message}; {hint}");
    }

    private static string LastLine(string log) =>
        log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => !l.StartsWith("processed", StringComparison.Ordinal)) ?? "";

    /// <summary>The poisoned instruction the verifier stopped at ("N: (85) call unknown#ID" then "invalid func unknown#ID").</summary>
    private static PoisonedInstruction? PoisonedInstructionReached(ProgramSpec spec, string log)
    {
        if (spec.PoisonedInstructions.Count == 0) return null;
        foreach (var poisoned in spec.PoisonedInstructions)
        {
            string call = $"call unknown#{poisoned.HelperId}";
            if (!log.Contains($"invalid func unknown#{poisoned.HelperId}", StringComparison.Ordinal)) continue;
            // Several instructions may share one helper id (every CO-RE poison does): prefer the one the log names.
            return spec.PoisonedInstructions.FirstOrDefault(p => p.HelperId == poisoned.HelperId &&
                log.Contains($"\n{p.InstructionIndex}: (85) {call}", StringComparison.Ordinal)) is { Description: not null } named
                ? named
                : poisoned;
        }
        return null;
    }
}
