using Sluice.Tests;

namespace Sluice.Cli.Tests;

/// <summary>
/// A throwaway network namespace holding one veth pair (va, vb), both up. The name uses VethNamespaces' prefix and
/// this process's id, so a crashed run's leftovers are swept by the next VethNamespaces fixture. Dispose deletes the
/// namespace, which destroys the veth pair and everything attached to it.
/// </summary>
internal sealed class TestNamespace : IDisposable
{
    private static int _instances;

    internal TestNamespace()
    {
        Name = $"{VethNamespaces.Prefix}{Environment.ProcessId}-c{Interlocked.Increment(ref _instances)}";
        try
        {
            ShellCommand.Run("ip", "netns", "add", Name);
            VethNamespaces.Nsenter(Name, "ip", "link", "add", "va", "type", "veth", "peer", "name", "vb");
            VethNamespaces.Nsenter(Name, "ip", "link", "set", "va", "up");
            VethNamespaces.Nsenter(Name, "ip", "link", "set", "vb", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    internal string Name { get; }

    public void Dispose()
    {
        if (VethNamespaces.Exists(Name)) ShellCommand.TryRun("ip", ["netns", "delete", Name], out _, out _);
    }
}
