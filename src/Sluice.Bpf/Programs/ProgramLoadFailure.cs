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
}
