namespace Sluice.Bpf.Object;

/// <summary>
/// A BPF ELF object is malformed or uses something this reader does not support. The message names the
/// object and the exact problem (section, symbol, offset), so it can be shown to a user as is.
/// </summary>
public sealed class BpfObjectException : FormatException
{
    /// <summary>Creates the exception with a complete message (already prefixed with the object's name).</summary>
    public BpfObjectException(string message) : base(message) { }

    /// <summary>Creates the exception with a complete message and the error that caused it.</summary>
    public BpfObjectException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with a generic message.</summary>
    public BpfObjectException() : base("malformed BPF object") { }
}
