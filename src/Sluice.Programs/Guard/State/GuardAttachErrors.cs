using Sluice.Bpf;

namespace Sluice.Programs.Guard.State;

/// <summary>
/// Classifies kernel and attach failures into <see cref="GuardException"/>s by their types and kinds (errno,
/// <see cref="AttachFailure"/>), never by their text; the original failure stays the inner exception.
/// </summary>
internal static class GuardAttachErrors
{
    private const int EPERM = 1;
    private const int EACCES = 13;

    internal static GuardException Explain(Exception error, GuardTarget target, string stage, XdpMode mode)
    {
        string where = target.Describe();
        var (reason, message) = error switch
        {
            GuardException guard => (guard.Reason, guard.Message),
            BpfAttachException attach => attach.Reason switch
            {
                AttachFailure.InterfaceNotFound => (GuardFailure.InterfaceNotFound, NoInterface(target)),
                AttachFailure.ModeNotSupported => (GuardFailure.ModeNotSupported, $"{where} cannot run XDP in {ModeName(mode)} mode"),
                AttachFailure.HookOccupied or AttachFailure.HeldByLink =>
                    (GuardFailure.HookOccupied, $"{stage} on {where} is already taken by {Occupant(attach)}"),
                AttachFailure.PermissionDenied => (GuardFailure.PermissionDenied, NoPrivilegesText),
                _ => (GuardFailure.KernelError, $"attaching {stage} to {where} failed"),
            },
            BpfVerifierException verifier => (GuardFailure.VerifierRejected, $"the kernel's verifier rejected {verifier.ProgramName}"),
            BpfException bpf when bpf.Errno is EPERM or EACCES => (GuardFailure.PermissionDenied, NoPrivilegesText),
            NetworkNamespaceException { Errno: EPERM or EACCES } => (GuardFailure.PermissionDenied, NoPrivilegesText),
            UnauthorizedAccessException => (GuardFailure.PermissionDenied, NoPrivilegesText),
            InvalidOperationException { InnerException: BpfMapIncompatibleException } =>
                (GuardFailure.IncompatiblePins, $"the guard's pinned maps on {where} do not fit this version"),
            _ => (GuardFailure.KernelError, $"{stage} on {where} failed"),
        };
        return error is GuardException { Target: not null } known ? known : new GuardException(reason, message, error) { Target = target };
    }

    internal static string NoInterface(GuardTarget target) => target.Namespace is null
        ? $"interface '{target.Interface}' does not exist"
        : $"interface '{target.Interface}' does not exist in network namespace '{target.Namespace}'";

    private const string NoPrivilegesText = "permission denied: the guard needs root (CAP_BPF, CAP_NET_ADMIN and CAP_SYS_ADMIN)";

    internal static GuardException NoPrivileges(GuardTarget target, Exception? error) =>
        new(GuardFailure.PermissionDenied, NoPrivilegesText, error) { Target = target };

    internal static string ModeName(XdpMode mode) => mode switch
    {
        XdpMode.Native => "native",
        XdpMode.Generic => "generic",
        XdpMode.Offload => "offload",
        _ => "best",
    };

    private static string Occupant(BpfAttachException error)
    {
        string program = error.AttachedProgramId is { } id
            ? $"program {(string.IsNullOrEmpty(error.AttachedProgramName) ? "" : error.AttachedProgramName + " ")}(id {id})"
            : "another program";
        return error.HoldingLinkId is { } link ? $"{program} held by link {link}" : program;
    }
}
