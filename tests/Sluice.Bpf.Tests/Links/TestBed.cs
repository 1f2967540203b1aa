
namespace Sluice.Bpf.Tests.Links;

/// <summary>A <see cref="VethNamespaces"/> pair with both namespaces opened as <see cref="NetworkNamespace"/>.</summary>
internal sealed class TestBed : IDisposable
{
    internal TestBed()
    {
        Pair = new VethNamespaces();
        try
        {
            Sender = NetworkNamespace.Open(Pair.SenderNamespace);
            Receiver = NetworkNamespace.Open(Pair.ReceiverNamespace);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    internal VethNamespaces Pair { get; }

    internal NetworkNamespace Sender { get; } = null!;

    internal NetworkNamespace Receiver { get; } = null!;

    internal string ReceiverInterface => Pair.ReceiverInterface;

    internal string SenderInterface => Pair.SenderInterface;

    internal UdpTraffic Traffic() => new(Pair, Sender, Receiver);

    public void Dispose()
    {
        Sender?.Dispose();
        Receiver?.Dispose();
        Pair.Dispose();
    }
}
