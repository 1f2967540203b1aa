namespace Sluice.Programs.Guard;

/// <summary>
/// A failure the user can cause or fix (bad rule text, unknown interface, conflicting rules, a change that would
/// lock out the SSH session, ...). The message is one line that the CLI prints as it is.
/// </summary>
public class GuardException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GuardException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public GuardException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>Creates an exception with a generic message.</summary>
    public GuardException() : base("guard operation failed") { }
}

/// <summary>A change was refused because it would drop TCP from the current SSH client to the SSH port.</summary>
public sealed class GuardLockoutException : GuardException
{
    /// <summary>Creates the exception.</summary>
    public GuardLockoutException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public GuardLockoutException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>Creates an exception with a generic message.</summary>
    public GuardLockoutException() : base("the change would lock out the current SSH session") { }
}

/// <summary>Rules that contradict each other or the installed ones (the same prefix and scope allowed and denied).</summary>
public sealed class GuardConflictException : GuardException
{
    /// <summary>Creates the exception.</summary>
    public GuardConflictException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public GuardConflictException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>Creates an exception with a generic message.</summary>
    public GuardConflictException() : base("conflicting rules") { }
}
