using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>Interface name → index resolution in the calling thread's network namespace.</summary>
internal static class InterfaceResolver
{
    /// <summary>Max interface name length (IFNAMSIZ - 1).</summary>
    internal const int MaxNameLength = 15;

    internal static int? TryResolve(string interfaceName)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        if (interfaceName.Length > MaxNameLength) return null;
        uint index = Libc.IfNameToIndex(interfaceName);
        return index == 0 ? null : (int)index;
    }

    internal static int Resolve(string interfaceName, NetworkNamespace? netns) =>
        TryResolve(interfaceName) ?? throw new BpfAttachException(AttachFailure.InterfaceNotFound, Libc.ENODEV,
            $"interface '{interfaceName}' does not exist in {(netns is null ? "this network namespace" : $"network namespace '{netns}'")}");

    /// <summary>Resolves in <paramref name="netns"/> (null: here).</summary>
    internal static int ResolveIn(string interfaceName, NetworkNamespace? netns) =>
        netns is null ? Resolve(interfaceName, null) : netns.GetInterfaceIndex(interfaceName);
}
