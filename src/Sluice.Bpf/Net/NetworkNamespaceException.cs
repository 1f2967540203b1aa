namespace Sluice.Bpf;

/// <summary>
/// Opening or entering a network namespace failed with <see cref="Errno"/> (EPERM: entering needs CAP_SYS_ADMIN).
/// An <see cref="IOException"/>, so callers that handle I/O failures in general keep working.
/// </summary>
public sealed class NetworkNamespaceException : IOException
{
    /// <summary>Creates the exception.</summary>
    public NetworkNamespaceException(int errno, string message) : base(message) => Errno = errno;

    /// <summary>Creates an exception without an errno.</summary>
    public NetworkNamespaceException() : base("network namespace operation failed") { }

    /// <summary>Creates an exception without an errno.</summary>
    public NetworkNamespaceException(string message) : base(message) { }

    /// <summary>Creates an exception without an errno, with its cause.</summary>
    public NetworkNamespaceException(string message, Exception? inner) : base(message, inner) { }

    /// <summary>The errno of the failed call (open or setns); 0 when unknown.</summary>
    public int Errno { get; }
}
