namespace Sluice.Bpf;

/// <summary>
/// A netlink request failed. Carries the errno, the request (e.g. RTM_NEWTFILTER) and, when the kernel sent one,
/// its extended-ack explanation, which is usually the most precise description of the cause.
/// </summary>
public class NetlinkException : BpfException
{
    /// <summary>Creates the exception.</summary>
    public NetlinkException(string operation, int errno, string message, string? kernelMessage)
        : base(operation, errno, message) => KernelMessage = kernelMessage;

    /// <summary>The kernel's extended-ack text (NLMSGERR_ATTR_MSG), or null when it gave none.</summary>
    public string? KernelMessage { get; }

    internal static NetlinkException Create(string operation, int errno, string? kernelMessage, string? context = null)
    {
        string text = $"{operation} failed: {ErrnoNames.Name(errno)} ({Interop.Libc.ErrorText(errno)})";
        if (!string.IsNullOrEmpty(kernelMessage)) text += $": {kernelMessage}";
        if (context is not null) text = $"{context}: {text}";
        return new NetlinkException(operation, errno, text, kernelMessage);
    }
}
