namespace Sluice.Bpf;

/// <summary>
/// Attaching, replacing or detaching a program failed. <see cref="Reason"/> classifies the cause, and when another
/// program is in the way <see cref="AttachedProgramId"/> and <see cref="AttachedProgramName"/> say which.
/// </summary>
public class BpfAttachException : BpfException
{
    /// <summary>Creates the exception.</summary>
    public BpfAttachException(AttachFailure reason, int errno, string message, Exception? inner = null)
        : base("attach", errno, message, inner) => Reason = reason;

    /// <summary>The classified cause.</summary>
    public AttachFailure Reason { get; }

    /// <summary>The id of the program occupying the hook, when that is the problem.</summary>
    public uint? AttachedProgramId { get; init; }

    /// <summary>The name of the program occupying the hook, when known.</summary>
    public string? AttachedProgramName { get; init; }

    /// <summary>The id of the bpf_link holding the hook, when known.</summary>
    public uint? HoldingLinkId { get; init; }

    /// <summary>The kernel's own explanation (netlink extended ack), when it gave one.</summary>
    public string? KernelMessage { get; init; }
}
