using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>Explains cgroup attach failures.</summary>
internal static class CgroupErrors
{
    internal static BpfAttachException Explain(int errno, BpfFd program, string cgroupPath, Object.BpfAttachType attachType, string operation)
    {
        string failed = $"{operation} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})";
        string where = $"cgroup '{cgroupPath}' hook {attachType}";
        // The kernel refuses a second attach of the same program with EINVAL too, so look before blaming the type.
        if (errno == Libc.EINVAL && IsAttached(program, cgroupPath, attachType))
            return new BpfAttachException(AttachFailure.HookOccupied, errno, $"{where}: this program is already attached there ({failed})");
        if (errno == Libc.EINVAL || errno == Libc.EACCES)
        {
            var info = ProgramLookup.Of(program);
            return new BpfAttachException(AttachFailure.WrongProgramType, errno,
                $"cannot attach program {ProgramLookup.Describe(info)} to {where}: the program type or its expected attach type does not fit the hook ({failed})");
        }
        if (errno == Libc.EEXIST)
            return new BpfAttachException(AttachFailure.HookOccupied, errno, $"{where}: this program is already attached there ({failed})");
        if (errno == Libc.EPERM)
            return new BpfAttachException(AttachFailure.PermissionDenied, errno,
                $"{where}: refused; the hook may hold a program attached without BPF_F_ALLOW_MULTI, or CAP_BPF/CAP_NET_ADMIN is missing ({failed})");
        return new BpfAttachException(AttachFailure.Other, errno, $"attaching to {where} failed ({failed})");
    }

    private static bool IsAttached(BpfFd program, string cgroupPath, Object.BpfAttachType attachType)
    {
        try
        {
            return Cgroup.Query(cgroupPath, attachType).Contains(ProgramLookup.Of(program).Id);
        }
        catch (Exception error) when (error is BpfException or IOException)
        {
            return false; // best effort: the errno still goes into the message
        }
    }
}
