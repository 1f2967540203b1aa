using System.Runtime.InteropServices;
using System.Text;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>An offload setting of a network interface that XDP forwarding depends on.</summary>
public enum InterfaceOffload
{
    /// <summary>
    /// Generic receive offload. On a veth it also turns on the NAPI receive path, which is what lets the veth take
    /// frames that XDP redirected or transmitted to it without an XDP program of its own (Linux 5.13).
    /// </summary>
    Gro,

    /// <summary>
    /// TX checksum offload. Packets a veth sends with it on carry only a partial checksum (the receiver is trusted to
    /// finish it); once XDP turns such a packet into a frame the partial checksum reaches the receiver as a wrong one.
    /// </summary>
    TxChecksum,
}

/// <summary>Reads and changes interface offloads through the SIOCETHTOOL ioctl (what `ethtool -k/-K` does).</summary>
public static unsafe class InterfaceOffloads
{
    /// <summary>Whether <paramref name="offload"/> is on for <paramref name="interfaceName"/> in <paramref name="netns"/> (null: here).</summary>
    /// <exception cref="BpfAttachException">No such interface (<see cref="AttachFailure.InterfaceNotFound"/>).</exception>
    /// <exception cref="IOException">The ioctl failed.</exception>
    public static bool IsEnabled(string interfaceName, InterfaceOffload offload, NetworkNamespace? netns = null) =>
        NamespaceScope.Run(netns, () => Call(interfaceName, netns, GetCommand(offload), 0) != 0);

    /// <summary>Turns <paramref name="offload"/> on or off; returns true when that changed the setting.</summary>
    /// <exception cref="BpfAttachException">No such interface.</exception>
    /// <exception cref="IOException">The ioctl failed (e.g. EPERM without CAP_NET_ADMIN, EOPNOTSUPP).</exception>
    public static bool Set(string interfaceName, InterfaceOffload offload, bool enabled, NetworkNamespace? netns = null) =>
        NamespaceScope.Run(netns, () =>
        {
            bool current = Call(interfaceName, netns, GetCommand(offload), 0) != 0;
            if (current == enabled) return false;
            Call(interfaceName, netns, SetCommand(offload), enabled ? 1u : 0u);
            return true;
        });

    private static uint GetCommand(InterfaceOffload offload) => offload == InterfaceOffload.Gro ? Libc.ETHTOOL_GGRO : Libc.ETHTOOL_GTXCSUM;

    private static uint SetCommand(InterfaceOffload offload) => offload == InterfaceOffload.Gro ? Libc.ETHTOOL_SGRO : Libc.ETHTOOL_STXCSUM;

    private static uint Call(string interfaceName, NetworkNamespace? netns, uint command, uint data)
    {
        InterfaceResolver.Resolve(interfaceName, netns);
        int fd = Libc.Socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) throw Failure("socket(AF_INET)", interfaceName, Marshal.GetLastPInvokeError());
        try
        {
            var value = new EthtoolValue { Command = command, Data = data };
            var request = new InterfaceRequest { Data = &value };
            Span<byte> name = new(request.Name, 16);
            Encoding.ASCII.GetBytes(interfaceName, name[..15]);
            if (Libc.Ioctl(fd, Libc.SIOCETHTOOL, &request) < 0)
                throw Failure($"SIOCETHTOOL 0x{command:x}", interfaceName, Marshal.GetLastPInvokeError());
            return value.Data;
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private static IOException Failure(string operation, string interfaceName, int errno) =>
        new($"{operation} on '{interfaceName}' failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})");
}
