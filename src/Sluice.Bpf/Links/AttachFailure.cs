namespace Sluice.Bpf;

/// <summary>Why an attach, update or detach was refused, as far as Sluice could tell.</summary>
public enum AttachFailure
{
    /// <summary>None of the causes below; see the errno and message.</summary>
    Other,
    /// <summary>The interface does not exist (in the namespace that was searched).</summary>
    InterfaceNotFound,
    /// <summary>The interface or driver cannot run the program in the requested mode (e.g. native or offload XDP).</summary>
    ModeNotSupported,
    /// <summary>Another program already occupies the hook; the exception names it.</summary>
    HookOccupied,
    /// <summary>A bpf_link owned by someone else holds the hook; only that link can change or release it.</summary>
    HeldByLink,
    /// <summary>The program's type does not fit the hook (e.g. a TC program on XDP).</summary>
    WrongProgramType,
    /// <summary>The running kernel lacks this attach kind.</summary>
    NotSupported,
    /// <summary>The expected program was not the one attached (a concurrent change won the race).</summary>
    ExpectedProgramMismatch,
    /// <summary>The hook's target (tracepoint, kernel function, symbol in a binary) does not exist.</summary>
    TargetNotFound,
    /// <summary>The caller lacks the privileges (CAP_NET_ADMIN, CAP_BPF, CAP_SYS_ADMIN).</summary>
    PermissionDenied,
}
