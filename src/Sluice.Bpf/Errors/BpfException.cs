using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>A bpf() command failed; carries the errno and the command.</summary>
public class BpfException : IOException
{
    /// <summary>Creates the exception.</summary>
    public BpfException(string command, int errno, string message) : base(message)
    {
        Command = command;
        Errno = errno;
        HResult = errno;
    }

    /// <summary>Creates the exception with an inner exception.</summary>
    public BpfException(string command, int errno, string message, Exception? inner) : base(message, inner)
    {
        Command = command;
        Errno = errno;
        HResult = errno;
    }

    /// <summary>The bpf command (e.g. BPF_MAP_CREATE) or operation that failed.</summary>
    public string Command { get; }

    /// <summary>The errno the kernel returned.</summary>
    public int Errno { get; }

    /// <summary>The errno's symbolic name (EPERM, ENOENT, ...).</summary>
    public string ErrnoName => ErrnoNames.Name(Errno);

    internal static BpfException FromErrno(BpfCommand command, int errno, string? context = null)
    {
        string name = CommandName(command);
        string text = $"{name} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})";
        if (context is not null) text = $"{context}: {text}";
        if (errno == Libc.EPERM) text += "; bpf() needs root or CAP_BPF (+CAP_NET_ADMIN for networking programs)";
        return new BpfException(name, errno, text);
    }

    internal static string CommandName(BpfCommand command) =>
        "BPF_" + string.Concat(command.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString()))
            .ToUpperInvariant();
}
