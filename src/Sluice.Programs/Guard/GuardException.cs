namespace Sluice.Programs.Guard;

/// <summary>What kind of failure a <see cref="GuardException"/> reports; callers branch on this, never on the message.</summary>
public enum GuardFailure
{
    /// <summary>Bad input: rule text, a config or rule file, limits, settings, names.</summary>
    InvalidInput,
    /// <summary>The same prefix and scope both allowed and denied (<see cref="GuardConflictException"/>).</summary>
    Conflict,
    /// <summary>The change would drop the current SSH session (<see cref="GuardLockoutException"/>); the caller may force it.</summary>
    Lockout,
    /// <summary>The guard changed since the plan was made; make a new plan.</summary>
    StalePlan,
    /// <summary>No guard is attached to the target; attach one first.</summary>
    NotAttached,
    /// <summary>The target's pins are incomplete (a map or link is missing); attaching again repairs it.</summary>
    Incomplete,
    /// <summary>The target's network namespace does not exist.</summary>
    NamespaceNotFound,
    /// <summary>The target's interface does not exist.</summary>
    InterfaceNotFound,
    /// <summary>The interface cannot run XDP in the requested mode.</summary>
    ModeNotSupported,
    /// <summary>Another program (or a link someone else holds) occupies the hook; the inner <c>BpfAttachException</c> names it.</summary>
    HookOccupied,
    /// <summary>The process lacks the privileges (root: CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN).</summary>
    PermissionDenied,
    /// <summary>The kernel's verifier rejected a guard program; the inner <c>BpfVerifierException</c> has the log.</summary>
    VerifierRejected,
    /// <summary>The pinned maps were made by a different version of the guard and do not fit this one.</summary>
    IncompatiblePins,
    /// <summary>A kernel operation failed and nothing was changed (see the inner exception).</summary>
    KernelError,
    /// <summary>
    /// A change stopped midway and could not be completed or fully undone: part of it is in place. Look at the guard's
    /// state before trying again.
    /// </summary>
    PartiallyApplied,
    /// <summary>Another process holds the guard's writer lock and did not release it in time; try again later.</summary>
    Busy,
    /// <summary>The pin directory is not safe to use: a symlinked component or one owned by another user.</summary>
    UnsafePinDirectory,
}

/// <summary>
/// A failure the user can cause or fix (bad rule text, unknown interface, conflicting rules, a change that would
/// lock out the SSH session, ...). <see cref="Reason"/> says which; the message is one line for logs and developers,
/// and names no command of any tool (a command-line front end words its advice from <see cref="Reason"/>).
/// </summary>
public class GuardException : Exception
{
    /// <summary>Creates an <see cref="GuardFailure.InvalidInput"/> exception.</summary>
    public GuardException(string message) : this(GuardFailure.InvalidInput, message) { }

    /// <summary>Creates an <see cref="GuardFailure.InvalidInput"/> exception with its cause.</summary>
    public GuardException(string message, Exception? inner) : this(GuardFailure.InvalidInput, message, inner) { }

    /// <summary>Creates the exception.</summary>
    public GuardException(GuardFailure reason, string message, Exception? inner = null) : base(message, inner) => Reason = reason;

    /// <summary>Creates an exception with a generic message.</summary>
    public GuardException() : base("guard operation failed") { }

    /// <summary>The kind of failure.</summary>
    public GuardFailure Reason { get; }

    /// <summary>The guard the failure concerns, when it concerns one.</summary>
    public GuardTarget? Target { get; init; }
}

/// <summary>A change was refused because it would drop TCP from the current SSH client to the SSH port.</summary>
public sealed class GuardLockoutException : GuardException
{
    /// <summary>Creates the exception.</summary>
    public GuardLockoutException(string message) : base(GuardFailure.Lockout, message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public GuardLockoutException(string message, Exception? inner) : base(GuardFailure.Lockout, message, inner) { }

    /// <summary>Creates an exception with a generic message.</summary>
    public GuardLockoutException() : base(GuardFailure.Lockout, "the change would lock out the current SSH session") { }
}

/// <summary>Rules that contradict each other or the installed ones (the same prefix and scope allowed and denied).</summary>
public sealed class GuardConflictException : GuardException
{
    /// <summary>Creates the exception.</summary>
    public GuardConflictException(string message) : base(GuardFailure.Conflict, message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public GuardConflictException(string message, Exception? inner) : base(GuardFailure.Conflict, message, inner) { }

    /// <summary>Creates an exception with a generic message.</summary>
    public GuardConflictException() : base(GuardFailure.Conflict, "conflicting rules") { }
}
