namespace Sluice.Cli.Tests;

/// <summary>
/// A throwaway lab namespace holding one veth pair (va, vb), both up. The name uses VethNamespaces' prefix and this
/// process's id, so a crashed run's leftovers are swept by the next lab bed. Dispose deletes the namespace, which
/// destroys the veth pair and everything attached to it.
/// </summary>
internal sealed class TestNamespace : IDisposable
{
    private readonly LabNamespace _namespace;

    internal TestNamespace()
    {
        _namespace = LabNamespace.Create(VethNamespaces.Prefix, "c");
        try
        {
            _namespace.Run("ip", "link", "add", "va", "type", "veth", "peer", "name", "vb");
            _namespace.Run("ip", "link", "set", "va", "up");
            _namespace.Run("ip", "link", "set", "vb", "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    internal string Name => _namespace.Name;

    public void Dispose() => _namespace.Dispose();
}
