using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>Program type checks and errno explanations shared by the tracing attach kinds.</summary>
internal static class TracingErrors
{
    /// <summary>Throws <see cref="AttachFailure.WrongProgramType"/> unless the program has one of <paramref name="allowed"/>.</summary>
    internal static BpfProgramInfo CheckProgramType(BpfFd program, string hook, params BpfProgramType[] allowed)
    {
        ArgumentNullException.ThrowIfNull(program);
        var identity = ProgramLookup.Of(program);
        if (Array.IndexOf(allowed, identity.Type) < 0)
            throw new BpfAttachException(AttachFailure.WrongProgramType, Libc.EINVAL,
                $"cannot attach program {ProgramLookup.Describe(identity)} to {hook}: it needs a program of type {string.Join(" or ", allowed)}");
        return identity;
    }

    /// <summary>The exception for a failed attach syscall on a tracing hook.</summary>
    internal static BpfAttachException Explain(int errno, BpfProgramInfo program, string hook, string operation)
    {
        string failed = $"{operation} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})";
        string who = ProgramLookup.Describe(program);
        var (reason, why) = errno switch
        {
            Libc.EPERM or Libc.EACCES => (AttachFailure.PermissionDenied, "not allowed: needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)"),
            Libc.ENOENT => (AttachFailure.TargetNotFound, "the target does not exist in this kernel"),
            Libc.EOPNOTSUPP => (AttachFailure.NotSupported, "this kernel cannot attach programs to this hook"),
            Libc.EINVAL => (AttachFailure.WrongProgramType, "the kernel refused the program for this hook (type, expected attach type or BTF target do not match)"),
            Libc.EEXIST or Libc.EBUSY => (AttachFailure.HookOccupied, "the program is already attached there"),
            _ => (AttachFailure.Other, "the kernel refused"),
        };
        return new BpfAttachException(reason, errno, $"cannot attach program {who} to {hook}: {why} ({failed})");
    }
}
