namespace Sluice.Bpf;

/// <summary>Runs work in an optional namespace: inline when none is given, else on a thread inside it.</summary>
internal static class NamespaceScope
{
    internal static T Run<T>(NetworkNamespace? netns, Func<T> action) => netns is null ? action() : netns.Run(action);

    /// <summary>"'eth0'" or "'eth0' in network namespace 'blue'", for messages.</summary>
    internal static string Describe(string interfaceName, NetworkNamespace? netns) =>
        netns is null ? $"'{interfaceName}'" : $"'{interfaceName}' in network namespace '{netns}'";
}
