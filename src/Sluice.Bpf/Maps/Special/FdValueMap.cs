using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Base of the maps whose values are kernel objects given by fd on write (programs, maps, sockets, XDP sockets)
/// and, where the kernel allows reading, reported back as an id or cookie.
/// </summary>
public abstract class FdValueMap<TKey> : BpfMapView where TKey : unmanaged
{
    /// <summary>Checks type and key size; the value must be a 4-byte fd (or 8 bytes where <paramref name="allowWideValue"/>).</summary>
    private protected FdValueMap(BpfMap map, bool ownsMap, bool allowWideValue, params ReadOnlySpan<BpfMapType> acceptedTypes)
        : base(map, ownsMap, acceptedTypes)
    {
        CheckSize<TKey>(map, "key", map.KeySize);
        if (allowWideValue) CheckSizeIn(map, "value", map.ValueSize, 4, 8);
        else CheckSizeIn(map, "value", map.ValueSize, 4);
    }

    /// <summary>Deletes the entry at <paramref name="key"/>; false when it was empty.</summary>
    public unsafe bool Delete(TKey key) => Map.DeleteCore(&key);

    /// <summary>The occupied keys; see <see cref="MapKeys{TKey}"/>.</summary>
    public MapKeys<TKey> Keys => new(Map);

    /// <summary>Stores <paramref name="fd"/> as the value of <paramref name="key"/> (widened to 8 bytes if the map's value is).</summary>
    private protected unsafe void SetFd(TKey key, int fd, MapUpdateFlags flags)
    {
        ulong value = (uint)fd;
        int errno = Map.UpdateCore(&key, &value, (ulong)flags);
        if (errno != 0) throw UpdateFailed(errno);
    }

    /// <summary>Stores the fd of <paramref name="handle"/>, keeping the handle alive across the call.</summary>
    private protected void SetHandle(TKey key, SafeHandle handle, MapUpdateFlags flags) =>
        HandleFd.Use(handle, (this, key, flags), static (fd, state) =>
        {
            state.Item1.SetFd(state.key, fd, state.flags);
            return 0;
        });

    /// <summary>Reads the value the kernel reports for <paramref name="key"/> (an id or cookie, zero-extended).</summary>
    private protected unsafe bool TryReadValue(TKey key, out ulong value)
    {
        ulong read = 0;
        bool found = Map.LookupCore(&key, &read);
        value = read;
        return found;
    }
}
