using Sluice.Bpf.Object;

namespace Sluice.Bpf.Generator;

/// <summary>Which Sluice.Bpf typed view fits each map type, given the C# key and value types (null when unknown).</summary>
internal static class MapViews
{
    private const string Ns = "global::Sluice.Bpf.";

    /// <summary>The view's C# type, or null to expose the untyped BpfMap (ring buffers, or key/value types C# cannot mirror).</summary>
    internal static string? ViewType(BpfMapType type, string? key, string? value) => type switch
    {
        BpfMapType.Hash or BpfMapType.LruHash when key is not null && value is not null => $"{Ns}BpfHashMap<{key}, {value}>",
        BpfMapType.PerCpuHash or BpfMapType.LruPerCpuHash when key is not null && value is not null => $"{Ns}BpfPerCpuHashMap<{key}, {value}>",
        BpfMapType.Array when value is not null => $"{Ns}BpfArrayMap<{value}>",
        BpfMapType.PerCpuArray when value is not null => $"{Ns}BpfPerCpuArray<{value}>",
        BpfMapType.BloomFilter when value is not null => $"{Ns}BpfBloomFilter<{value}>",
        BpfMapType.Queue when value is not null => $"{Ns}BpfQueue<{value}>",
        BpfMapType.Stack when value is not null => $"{Ns}BpfStack<{value}>",
        BpfMapType.DevMap => $"{Ns}BpfDevMap",
        BpfMapType.DevMapHash => $"{Ns}BpfDevMapHash",
        BpfMapType.CpuMap => $"{Ns}BpfCpuMap",
        BpfMapType.ProgArray => $"{Ns}BpfProgArray",
        BpfMapType.XskMap => $"{Ns}BpfXskMap",
        BpfMapType.SockMap => $"{Ns}BpfSockMap",
        BpfMapType.SockHash when key is not null => $"{Ns}BpfSockHash<{key}>",
        BpfMapType.ArrayOfMaps => $"{Ns}BpfMapOfMaps<uint>",
        BpfMapType.RingBuf => $"{Ns}BpfRingBuffer",
        BpfMapType.HashOfMaps when key is not null => $"{Ns}BpfMapOfMaps<{key}>",
        _ => null,
    };

    /// <summary>
    /// Ring buffer readers map memory and own an epoll fd: made on first use (not at load) and disposed with the object.
    /// </summary>
    internal static bool IsOwnedReader(BpfMapType type) => type == BpfMapType.RingBuf;

    /// <summary>Whether the view needs the map's value type (maps of fds and CPU entries have fixed values).</summary>
    internal static bool NeedsValueType(BpfMapType type) => type is BpfMapType.Hash or BpfMapType.LruHash or BpfMapType.PerCpuHash
        or BpfMapType.LruPerCpuHash or BpfMapType.Array or BpfMapType.PerCpuArray or BpfMapType.BloomFilter
        or BpfMapType.Queue or BpfMapType.Stack;
}
