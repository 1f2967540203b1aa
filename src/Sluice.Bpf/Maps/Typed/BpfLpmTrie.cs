using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// A typed view of an LPM_TRIE map (Linux 4.11): longest-prefix-match lookups over <see cref="LpmKey{T}"/> keys.
/// The kernel requires BPF_F_NO_PREALLOC (<see cref="NoPreallocFlag"/>) at creation.
/// </summary>
/// <remarks>
/// <see cref="BpfTypedMap{TKey,TValue}.TryLookup"/> with a /32 (or /128) key returns the value of the longest stored
/// prefix containing that address; with a stored prefix it returns that prefix's own value. Batch update, delete and
/// lookup (Linux 5.6; the kernel uses its generic implementations, which walk with get-next-key) work on tries.
/// </remarks>
public sealed class BpfLpmTrie<TData, TValue> : BpfTypedMap<LpmKey<TData>, TValue>
    where TData : unmanaged
    where TValue : unmanaged
{
    /// <summary>BPF_F_NO_PREALLOC: tries allocate nodes on demand and refuse creation without it.</summary>
    public const uint NoPreallocFlag = 1;

    /// <summary>Wraps <paramref name="map"/>; borrows it unless <paramref name="ownsMap"/>.</summary>
    /// <exception cref="ArgumentException">Not an LPM_TRIE, or sizes differ (key = 4 + sizeof(<typeparamref name="TData"/>)).</exception>
    public BpfLpmTrie(BpfMap map, bool ownsMap = false)
        : base(map, ownsMap, BpfMapType.LpmTrie)
    {
    }

    /// <summary>Creates a new LPM_TRIE (with BPF_F_NO_PREALLOC) sized for the types, owned by the view.</summary>
    public static unsafe BpfLpmTrie<TData, TValue> Create(string name, uint maxEntries, uint extraFlags = 0) =>
        new(BpfMap.Create(new MapSpec
        {
            Name = name,
            Type = BpfMapType.LpmTrie,
            KeySize = (uint)sizeof(LpmKey<TData>),
            ValueSize = (uint)sizeof(TValue),
            MaxEntries = maxEntries,
            Flags = NoPreallocFlag | extraFlags,
        }), ownsMap: true);

    /// <summary>The value of the longest stored prefix that contains <paramref name="data"/> (looked up as a full-length key).</summary>
    public unsafe bool TryMatch(TData data, out TValue value) =>
        TryLookup(new LpmKey<TData>((uint)sizeof(TData) * 8, data), out value);
}
