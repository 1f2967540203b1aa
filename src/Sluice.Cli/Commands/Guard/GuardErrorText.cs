using Sluice.Bpf;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>
/// Words a <see cref="GuardException"/> for the terminal from its <see cref="GuardException.Reason"/>, target and
/// inner exception: the library's sentence, the kernel's cause where the library keeps it as the inner exception,
/// and the command that fixes it. The CLI never looks inside the library's message.
/// </summary>
internal static class GuardErrorText
{
    internal static CliError ToCliError(GuardException error)
    {
        string text = error.Message;
        if (ShowsCause(error.Reason) && Cause(error) is { } cause) text += $" ({cause})";
        if (Advice(error) is { } advice) text += "; " + advice;
        string? detail = error.InnerException is BpfVerifierException verifier ? verifier.Diagnostic?.Render() : null;
        return new CliError(text, detail);
    }

    /// <summary>Kinds whose sentence says what failed but not why: the inner exception has the kernel's reason.</summary>
    private static bool ShowsCause(GuardFailure reason) => reason is GuardFailure.ModeNotSupported or GuardFailure.IncompatiblePins
        or GuardFailure.KernelError or GuardFailure.PartiallyApplied or GuardFailure.VerifierRejected;

    private static string? Cause(GuardException error) => error.InnerException is { } inner ? CommandRunner.OneLine(inner.Message).TrimEnd() : null;

    private static string? Advice(GuardException error) => error.Reason switch
    {
        GuardFailure.NotAttached => $"run `sluice guard attach {Where(error.Target)}` first",
        GuardFailure.Incomplete => $"run `sluice guard attach {Where(error.Target)}` again to repair it",
        GuardFailure.PartiallyApplied => $"check `sluice guard status{(error.Target is null ? "" : " " + Options(error.Target))}`",
        GuardFailure.Lockout => "use --force to do it anyway",
        GuardFailure.StalePlan => "run the command again to plan against the current state",
        GuardFailure.Busy => "try again when the other change has finished",
        GuardFailure.HookOccupied => error.InnerException is BpfAttachException { HoldingLinkId: { } link }
            ? $"release it with `sluice net detach link {link}` first"
            : "detach it first",
        _ => null,
    };

    private static string Where(GuardTarget? target) => target is null ? "DEV" : target.Interface + NamespaceOption(target);

    private static string Options(GuardTarget target) => $"--dev {target.Interface}{NamespaceOption(target)}";

    private static string NamespaceOption(GuardTarget target) => target.Namespace is null ? "" : $" --netns {target.Namespace}";
}
