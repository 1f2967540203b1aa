using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>
/// The bpf() system call. Every attr struct is passed by reference with its exact size; EINTR is retried here
/// and never escapes. <see cref="Invoke{TAttr}"/> throws <see cref="BpfException"/>; <see cref="TryInvoke{TAttr}"/>
/// returns the errno instead, for hot paths where ENOENT is an answer rather than an error.
/// </summary>
internal static unsafe class BpfSyscall
{
    private static readonly long SyscallNumber = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 321,
        Architecture.Arm64 => 280,
        Architecture.RiscV64 => 280,
        Architecture.LoongArch64 => 280,
        _ => throw new PlatformNotSupportedException($"bpf(): unsupported architecture {RuntimeInformation.ProcessArchitecture}"),
    };

    /// <summary>Issues the command; returns the kernel's non-negative result or throws.</summary>
    internal static int Invoke<TAttr>(BpfCommand command, ref TAttr attr) where TAttr : unmanaged
    {
        int result = TryInvoke(command, ref attr, out int errno);
        if (result < 0) throw BpfException.FromErrno(command, errno);
        return result;
    }

    /// <summary>Issues the command; returns the result, or -1 with <paramref name="errno"/> set.</summary>
    internal static int TryInvoke<TAttr>(BpfCommand command, ref TAttr attr, out int errno) where TAttr : unmanaged
    {
        fixed (TAttr* pointer = &attr)
        {
            while (true)
            {
                long result = Libc.Syscall(SyscallNumber, (long)command, pointer, sizeof(TAttr));
                if (result >= 0)
                {
                    errno = 0;
                    return (int)result;
                }
                errno = Marshal.GetLastPInvokeError();
                if (errno != Libc.EINTR) return -1;
            }
        }
    }

    /// <summary>
    /// Issues the command once: EINTR comes back as an answer, for commands that did part of their work before the
    /// signal (a live-frames test run) and must not simply be repeated.
    /// </summary>
    internal static int TryInvokeOnce<TAttr>(BpfCommand command, ref TAttr attr, out int errno) where TAttr : unmanaged
    {
        fixed (TAttr* pointer = &attr)
        {
            long result = Libc.Syscall(SyscallNumber, (long)command, pointer, sizeof(TAttr));
            errno = result >= 0 ? 0 : Marshal.GetLastPInvokeError();
            return result >= 0 ? (int)result : -1;
        }
    }

    /// <summary>Issues a command that returns a new fd and wraps it.</summary>
    internal static BpfFd InvokeForFd<TAttr>(BpfCommand command, ref TAttr attr) where TAttr : unmanaged =>
        new(Invoke(command, ref attr));
}
