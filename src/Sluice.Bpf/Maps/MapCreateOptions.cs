namespace Sluice.Bpf;

/// <summary>Kernel-side inputs to map creation that a <see cref="Sluice.Bpf.Object.MapSpec"/> cannot carry.</summary>
public sealed class MapCreateOptions
{
    /// <summary>Loaded object BTF whose type ids the spec's BtfKeyTypeId/BtfValueTypeId refer to.</summary>
    public BpfFd? Btf { get; init; }

    /// <summary>For map-in-map types: a map of the inner shape (the kernel copies its shape).</summary>
    public BpfMap? InnerMap { get; init; }

    /// <summary>Name to give the kernel object (default: the spec's name, sanitised and truncated to 15 characters).</summary>
    public string? KernelName { get; init; }
}
