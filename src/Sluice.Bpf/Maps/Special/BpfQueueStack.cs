using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Base of QUEUE and STACK (Linux 4.20): keyless maps. Push is an update with a null key, pop a
/// lookup-and-delete, peek a lookup.
/// </summary>
public abstract class BpfPushPopMap<T> : BpfMapView where T : unmanaged
{
    /// <summary>Checks type and sizes (key size 0).</summary>
    private protected BpfPushPopMap(BpfMap map, bool ownsMap, BpfMapType type)
        : base(map, ownsMap, type)
    {
        CheckSizeIn(map, "key", map.KeySize, 0);
        CheckSize<T>(map, "value", map.ValueSize);
    }

    /// <summary>Pushes <paramref name="value"/>; with <paramref name="overwriteWhenFull"/> (BPF_EXIST) a full map drops its oldest element instead of failing.</summary>
    /// <exception cref="BpfException">E2BIG when full and not overwriting.</exception>
    public unsafe void Push(T value, bool overwriteWhenFull = false) =>
        Map.UpdateOrThrow(null, &value, overwriteWhenFull ? (ulong)MapUpdateFlags.Exist : 0);

    /// <summary>Removes and returns the next element; false when empty.</summary>
    public unsafe bool TryPop(out T value)
    {
        fixed (T* v = &value)
        {
            return Map.LookupAndDeleteCore(null, v);
        }
    }

    /// <summary>Returns the next element without removing it; false when empty.</summary>
    public unsafe bool TryPeek(out T value)
    {
        fixed (T* v = &value)
        {
            return Map.LookupCore(null, v);
        }
    }
}

/// <summary>A QUEUE map (Linux 4.20): first in, first out.</summary>
public sealed class BpfQueue<T> : BpfPushPopMap<T> where T : unmanaged
{
    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    public BpfQueue(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, BpfMapType.Queue)
    {
    }

    /// <summary>Creates a QUEUE of up to <paramref name="maxEntries"/> elements, owned by the view.</summary>
    public static unsafe BpfQueue<T> Create(string name, uint maxEntries) =>
        new(BpfMap.Create(new MapSpec { Name = name, Type = BpfMapType.Queue, KeySize = 0, ValueSize = (uint)sizeof(T), MaxEntries = maxEntries }), ownsMap: true);
}

/// <summary>A STACK map (Linux 4.20): last in, first out.</summary>
public sealed class BpfStack<T> : BpfPushPopMap<T> where T : unmanaged
{
    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    public BpfStack(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, BpfMapType.Stack)
    {
    }

    /// <summary>Creates a STACK of up to <paramref name="maxEntries"/> elements, owned by the view.</summary>
    public static unsafe BpfStack<T> Create(string name, uint maxEntries) =>
        new(BpfMap.Create(new MapSpec { Name = name, Type = BpfMapType.Stack, KeySize = 0, ValueSize = (uint)sizeof(T), MaxEntries = maxEntries }), ownsMap: true);
}
