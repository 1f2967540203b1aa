using Sluice.Bpf;

namespace Sluice.Programs.Guard.State;

/// <summary>Kernel and attach failures as one-line <see cref="GuardException"/>s the CLI can print as they are.</summary>
internal static class GuardAttachErrors
{
    private const int EPERM = 1;
    private const int EACCES = 13;

    internal static GuardException Explain(Exception error, GuardTarget target, string stage, Sluice.Bpf.XdpMode mode)
    {
        string where = target.Describe();
        return error switch
        {
            GuardException guard => guard,
            BpfAttachException attach => attach.Reason switch
            {
                AttachFailure.InterfaceNotFound => new GuardException(NoInterface(target), error),
                AttachFailure.ModeNotSupported => new GuardException($"{where} cannot run XDP in {ModeName(mode)} mode: {FirstLine(attach.Message)}", error),
                AttachFailure.HookOccupied or AttachFailure.HeldByLink => new GuardException(
                    $"{stage} on {where} is already taken by {Occupant(attach)}: detach it first", error),
                AttachFailure.PermissionDenied => NoPrivileges(error),
                _ => new GuardException($"attaching {stage} to {where} failed: {FirstLine(attach.Message)}", error),
            },
            BpfVerifierException verifier => new GuardException(
                $"the kernel's verifier rejected {verifier.ProgramName}: {FirstLine(verifier.Message)}", error),
            BpfException bpf when bpf.Errno is EPERM or EACCES => NoPrivileges(error),
            UnauthorizedAccessException => NoPrivileges(error),
            IOException io when io.Message.Contains("EPERM", StringComparison.Ordinal) => NoPrivileges(error),
            InvalidOperationException pinned when pinned.InnerException is BpfMapIncompatibleException => new GuardException(
                $"the guard's pinned maps on {where} do not fit this version: {FirstLine(pinned.Message)}", error),
            _ => new GuardException($"{stage} on {where}: {FirstLine(error.Message)}", error),
        };
    }

    internal static string NoInterface(GuardTarget target) => target.Namespace is null
        ? $"interface '{target.Interface}' does not exist"
        : $"interface '{target.Interface}' does not exist in network namespace '{target.Namespace}'";

    internal static GuardException NoPrivileges(Exception? error) =>
        new("permission denied: the guard needs root (CAP_BPF, CAP_NET_ADMIN and CAP_SYS_ADMIN)", error);

    internal static string ModeName(Sluice.Bpf.XdpMode mode) => mode switch
    {
        Sluice.Bpf.XdpMode.Native => "native",
        Sluice.Bpf.XdpMode.Generic => "generic",
        Sluice.Bpf.XdpMode.Offload => "offload",
        _ => "best",
    };

    private static string Occupant(BpfAttachException error)
    {
        string program = error.AttachedProgramId is { } id
            ? $"program {(string.IsNullOrEmpty(error.AttachedProgramName) ? "" : error.AttachedProgramName + " ")}(id {id})"
            : "another program";
        return error.HoldingLinkId is { } link ? $"{program} held by link {link}" : program;
    }

    internal static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? message : message[..newline]).TrimEnd();
    }
}
