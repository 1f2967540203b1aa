using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>Explains TC and TCX attach failures in terms of their cause.</summary>
internal static class TcErrors
{
    internal static void CheckProgramType(BpfFd program, string interfaceName, NetworkNamespace? netns)
    {
        ArgumentNullException.ThrowIfNull(program);
        var identity = ProgramLookup.Of(program);
        if (identity.Type != BpfProgramType.SchedCls)
            throw new BpfAttachException(AttachFailure.WrongProgramType, Libc.EINVAL,
                $"cannot attach program {ProgramLookup.Describe(identity)} to TC on {NamespaceScope.Describe(interfaceName, netns)}: TC and TCX need a program of type SchedCls (SEC(\"tc\"))");
    }

    internal static BpfAttachException ExplainTcx(int errno, string interfaceName, TcDirection direction, TcxOrder order, NetworkNamespace? netns)
    {
        string where = $"TCX {direction.ToString().ToLowerInvariant()} of {NamespaceScope.Describe(interfaceName, netns)}";
        string failed = $"BPF_LINK_CREATE failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})";
        return errno switch
        {
            Libc.ENODEV => new BpfAttachException(AttachFailure.InterfaceNotFound, errno, $"interface {NamespaceScope.Describe(interfaceName, netns)} does not exist ({failed})"),
            Libc.EINVAL when !Tcx.IsSupported => new BpfAttachException(AttachFailure.NotSupported, errno,
                $"this kernel has no TCX (needs Linux 6.6); attach with TcAttachMethod.Filter instead ({failed})"),
            Libc.ENOENT => new BpfAttachException(AttachFailure.Other, errno, $"{where}: the program or link to order against ({order}) is not attached there ({failed})"),
            Libc.EINVAL when order.RelativeId != 0 => new BpfAttachException(AttachFailure.Other, errno,
                $"{where}: the kernel refused the position '{order}' (is that id a TC program or link on this hook?) ({failed})"),
            Libc.EEXIST => new BpfAttachException(AttachFailure.HookOccupied, errno, $"{where}: this program is already attached there ({failed})"),
            Libc.ERANGE => new BpfAttachException(AttachFailure.HookOccupied, errno, $"{where}: too many programs attached ({failed})"),
            Libc.EPERM or Libc.EACCES => new BpfAttachException(AttachFailure.PermissionDenied, errno, $"{where}: needs CAP_NET_ADMIN and CAP_BPF ({failed})"),
            _ => new BpfAttachException(AttachFailure.Other, errno, $"attaching to {where} failed ({failed})"),
        };
    }
}
