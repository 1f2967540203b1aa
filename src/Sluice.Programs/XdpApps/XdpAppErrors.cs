using Sluice.Bpf;

namespace Sluice.Programs.XdpApps;

/// <summary>Kernel and attach failures as one-line <see cref="XdpAppException"/>s with a kind.</summary>
internal static class XdpAppErrors
{
    private const int EPERM = 1;
    private const int EACCES = 13;

    internal static XdpAppException NoPrivileges(Exception? error) =>
        new(XdpAppError.NoPrivileges, "permission denied: XDP applications need root (CAP_BPF, CAP_NET_ADMIN and CAP_SYS_ADMIN)", error);

    /// <summary>Turns <paramref name="error"/> from doing <paramref name="what"/> into an <see cref="XdpAppException"/>.</summary>
    internal static XdpAppException Explain(Exception error, string what) => error switch
    {
        XdpAppException app => app,
        BpfAttachException attach => attach.Reason switch
        {
            AttachFailure.InterfaceNotFound => new XdpAppException(XdpAppError.InterfaceNotFound, $"{what}: {FirstLine(attach.Message)}", error),
            AttachFailure.ModeNotSupported => new XdpAppException(XdpAppError.ModeNotSupported, $"{what}: {FirstLine(attach.Message)}", error),
            AttachFailure.HookOccupied or AttachFailure.HeldByLink => new XdpAppException(XdpAppError.HookOccupied,
                $"{what}: the XDP hook is taken ({FirstLine(attach.Message)}); detach that program first", error),
            AttachFailure.PermissionDenied => NoPrivileges(error),
            _ => new XdpAppException(XdpAppError.KernelRefused, $"{what}: {FirstLine(attach.Message)}", error),
        },
        BpfVerifierException verifier => new XdpAppException(XdpAppError.KernelRefused,
            $"{what}: the kernel's verifier rejected {verifier.ProgramName}: {FirstLine(verifier.Message)}", error),
        BpfException bpf when bpf.Errno is EPERM or EACCES => NoPrivileges(error),
        UnauthorizedAccessException => NoPrivileges(error),
        _ => new XdpAppException(XdpAppError.KernelRefused, $"{what}: {FirstLine(error.Message)}", error),
    };

    internal static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? message : message[..newline]).TrimEnd();
    }
}
