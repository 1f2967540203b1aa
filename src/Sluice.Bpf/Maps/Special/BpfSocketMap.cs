using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Base of SOCKMAP and SOCKHASH: sockets go in by fd and come back as socket cookies (the kernel's 64-bit socket id,
/// also what getsockopt(SO_COOKIE) and bpf_get_socket_cookie return).
/// </summary>
/// <remarks>
/// Reading cookies needs an 8-byte value (Linux 5.7; a 4-byte map answers ENOSPC). TCP sockets must be established
/// (or listening) to be inserted.
/// </remarks>
public abstract class BpfSocketMap<TKey> : FdValueMap<TKey> where TKey : unmanaged
{
    /// <summary>Checks type and sizes.</summary>
    private protected BpfSocketMap(BpfMap map, bool ownsMap, BpfMapType type)
        : base(map, ownsMap, allowWideValue: true, type)
    {
    }

    /// <summary>Inserts <paramref name="socket"/> at <paramref name="key"/>.</summary>
    /// <exception cref="BpfException">E.g. EOPNOTSUPP for a socket in a state or family the kernel does not accept.</exception>
    public void Set(TKey key, Socket socket, MapUpdateFlags flags = MapUpdateFlags.Any)
    {
        ArgumentNullException.ThrowIfNull(socket);
        SetHandle(key, socket.SafeHandle, flags);
    }

    /// <summary>Inserts the socket whose fd <paramref name="socketHandle"/> holds.</summary>
    public void Set(TKey key, SafeHandle socketHandle, MapUpdateFlags flags = MapUpdateFlags.Any) => SetHandle(key, socketHandle, flags);

    /// <summary>The cookie of the socket at <paramref name="key"/>; false when absent.</summary>
    /// <exception cref="InvalidOperationException">The map's value is 4 bytes, too small for a cookie.</exception>
    public bool TryGetCookie(TKey key, out ulong cookie)
    {
        if (Map.ValueSize != 8)
            throw new InvalidOperationException($"map '{Map.Name}': reading socket cookies needs an 8-byte value; this map's value is {Map.ValueSize} bytes");
        return TryReadValue(key, out cookie);
    }
}

/// <summary>A SOCKMAP (Linux 4.14): sockets by index, for sk_skb / sk_msg redirection.</summary>
public sealed class BpfSockMap : BpfSocketMap<uint>
{
    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    public BpfSockMap(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, BpfMapType.SockMap)
    {
    }

    /// <summary>Creates a SOCKMAP with 8-byte values (so cookies can be read back), owned by the view.</summary>
    public static BpfSockMap Create(string name, uint maxEntries) =>
        Owning(() => BpfMap.Create(new MapSpec { Name = name, Type = BpfMapType.SockMap, KeySize = 4, ValueSize = 8, MaxEntries = maxEntries }),
            map => new BpfSockMap(map, ownsMap: true));
}

/// <summary>A SOCKHASH (Linux 4.18): sockets by an arbitrary key, e.g. a connection 4-tuple.</summary>
public sealed class BpfSockHash<TKey> : BpfSocketMap<TKey> where TKey : unmanaged
{
    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    public BpfSockHash(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, BpfMapType.SockHash)
    {
    }

    /// <summary>Creates a SOCKHASH with 8-byte values, owned by the view.</summary>
    public static unsafe BpfSockHash<TKey> Create(string name, uint maxEntries) =>
        Owning(() => BpfMap.Create(new MapSpec { Name = name, Type = BpfMapType.SockHash, KeySize = (uint)sizeof(TKey), ValueSize = 8, MaxEntries = maxEntries }),
            map => new BpfSockHash<TKey>(map, ownsMap: true));
}
