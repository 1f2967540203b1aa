using System.Runtime.InteropServices;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// An XSKMAP (Linux 4.18): AF_XDP sockets by receive-queue index, the target of bpf_redirect_map in XDP. Sockets go
/// in by fd; user space cannot read entries back (the kernel answers EOPNOTSUPP).
/// </summary>
public sealed class BpfXskMap : FdValueMap<uint>
{
    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    public BpfXskMap(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, allowWideValue: false, BpfMapType.XskMap)
    {
    }

    /// <summary>Creates an XSKMAP with one slot per queue, owned by the view.</summary>
    public static BpfXskMap Create(string name, uint maxEntries) =>
        new(BpfMap.Create(new MapSpec { Name = name, Type = BpfMapType.XskMap, KeySize = 4, ValueSize = 4, MaxEntries = maxEntries }), ownsMap: true);

    /// <summary>Puts the bound AF_XDP socket <paramref name="xdpSocket"/> at <paramref name="queueIndex"/>.</summary>
    public void Set(uint queueIndex, SafeHandle xdpSocket, MapUpdateFlags flags = MapUpdateFlags.Any) => SetHandle(queueIndex, xdpSocket, flags);
}
