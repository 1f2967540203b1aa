using Sluice.Bpf;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary>Opens the namespace a --netns option names: an `ip netns` name or a path such as /proc/PID/ns/net.</summary>
internal static class NamespaceResolver
{
    /// <summary>Null for null (the caller's own namespace).</summary>
    internal static NetworkNamespace? OpenOptional(string? name) => name is null ? null : Open(name);

    internal static NetworkNamespace Open(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            if (!File.Exists(name)) throw new CliError($"network namespace '{name}' not found (no such file)");
            return NetworkNamespace.OpenPath(name);
        }
        if (!File.Exists(Path.Combine(NetworkNamespace.NamedDirectory, name)))
            throw new CliError($"network namespace '{name}' not found (no {NetworkNamespace.NamedDirectory}/{name})");
        return NetworkNamespace.Open(name);
    }
}
