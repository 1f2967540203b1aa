namespace Sluice.Programs.XdpApps;

/// <summary>What went wrong in an XDP application (echo, forward), for callers that react to the kind.</summary>
public enum XdpAppError
{
    /// <summary>The named network namespace does not exist.</summary>
    NamespaceNotFound,
    /// <summary>The interface does not exist in the namespace.</summary>
    InterfaceNotFound,
    /// <summary>The application is not attached there.</summary>
    NotAttached,
    /// <summary>The interface is not one of the forwarder's ports.</summary>
    NotAPort,
    /// <summary>A port would forward to itself.</summary>
    RedirectLoop,
    /// <summary>A value is out of range or malformed (a port number, a CPU, a name).</summary>
    InvalidArgument,
    /// <summary>Root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN) is needed.</summary>
    NoPrivileges,
    /// <summary>The XDP hook is taken by another program.</summary>
    HookOccupied,
    /// <summary>The driver cannot run XDP in the requested mode.</summary>
    ModeNotSupported,
    /// <summary>The kernel refused (verifier, map update, attach) for another reason.</summary>
    KernelRefused,
}

/// <summary>A failure of an XDP application that the user can cause or fix; <see cref="Error"/> says which kind.</summary>
public sealed class XdpAppException : Exception
{
    /// <summary>Creates the exception.</summary>
    public XdpAppException(XdpAppError error, string message, Exception? inner = null) : base(message, inner) => Error = error;

    /// <summary>Creates an exception of kind <see cref="XdpAppError.KernelRefused"/>.</summary>
    public XdpAppException() : this(XdpAppError.KernelRefused, "XDP application operation failed") { }

    /// <summary>Creates an exception of kind <see cref="XdpAppError.KernelRefused"/>.</summary>
    public XdpAppException(string message) : this(XdpAppError.KernelRefused, message) { }

    /// <summary>Creates an exception of kind <see cref="XdpAppError.KernelRefused"/>.</summary>
    public XdpAppException(string message, Exception? inner) : this(XdpAppError.KernelRefused, message, inner) { }

    /// <summary>The kind of failure.</summary>
    public XdpAppError Error { get; }
}
