namespace Sluice.Programs.TcApps;

/// <summary>What went wrong in a TC application (qos, ratelimit, mirror); the CLI words it for the terminal.</summary>
public enum TcAppError
{
    /// <summary>A rule, rate, class, DSCP or option the application cannot accept.</summary>
    InvalidInput,
    /// <summary>The new rule matches packets an installed rule matches too.</summary>
    Overlap,
    /// <summary>No such rule or limit is installed.</summary>
    NoSuchRule,
    /// <summary>The table is full.</summary>
    Full,
    /// <summary>The application is not attached to the interface.</summary>
    NotAttached,
    /// <summary>The interface does not exist (in the namespace).</summary>
    NoInterface,
    /// <summary>The network namespace does not exist.</summary>
    NoNamespace,
    /// <summary>An interface name that cannot be one.</summary>
    BadInterfaceName,
    /// <summary>A namespace name that cannot be one.</summary>
    BadNamespaceName,
    /// <summary>The kernel lacks what the request needs (a qdisc kind, a hook).</summary>
    Unsupported,
    /// <summary>Root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN) is needed.</summary>
    NoPrivileges,
    /// <summary>The hook is taken or the kernel refused for another reason.</summary>
    Kernel,
}

/// <summary>A failure of a TC application that the user can cause or fix; <see cref="Kind"/> says which.</summary>
public sealed class TcAppException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TcAppException(TcAppError kind, string message, Exception? inner = null) : base(message, inner) => Kind = kind;

    /// <summary>Creates an exception of kind <see cref="TcAppError.Kernel"/>.</summary>
    public TcAppException() : this(TcAppError.Kernel, "TC application operation failed") { }

    /// <summary>Creates an exception of kind <see cref="TcAppError.InvalidInput"/>.</summary>
    public TcAppException(string message) : this(TcAppError.InvalidInput, message) { }

    /// <summary>Creates an exception of kind <see cref="TcAppError.Kernel"/> with its cause.</summary>
    public TcAppException(string message, Exception? inner) : this(TcAppError.Kernel, message, inner) { }

    /// <summary>What went wrong.</summary>
    public TcAppError Kind { get; }
}
