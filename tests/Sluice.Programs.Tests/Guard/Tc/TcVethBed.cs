using System.Net;
using System.Net.Sockets;
using Sluice.Bpf;
using Sluice.Lab.Traffic;
using Sluice.Programs.Guard;

namespace Sluice.Programs.Tests.Guard.Tc;

/// <summary>
/// Both guard stages on the receiver's veth end, as a deployment has them: guard_xdp in the given XDP mode and
/// guard_tc on TC ingress (TCX or a cls_bpf filter), loaded on one pinned map directory. Dispose detaches both, unpins the maps and
/// deletes the namespaces, also after a failed setup.
/// </summary>
internal sealed class TcVethBed : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    internal TcVethBed(XdpMode mode, TcAttachMethod method = TcAttachMethod.Tcx)
    {
        Pair = new VethNamespaces();
        try
        {
            Sender = Own(NetworkNamespace.Open(Pair.SenderNamespace));
            Receiver = Own(NetworkNamespace.Open(Pair.ReceiverNamespace));
            Stage = Own(new TcStage());
            // XDP first: every packet TC sees has been through XDP (the sender's link-up chatter arrives any time).
            Own(Bpf.Xdp.Attach(Stage.Bed.XdpProgram, Pair.ReceiverInterface, mode,
                new XdpAttachOptions { Namespace = Receiver }));
            Own(Bpf.Tc.Attach(Stage.Program, Pair.ReceiverInterface, TcDirection.Ingress,
                new TcAttachOptions { Namespace = Receiver, Method = method }));
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

    /// <summary>The TC stage and the shared maps.</summary>
    internal TcStage Stage { get; } = null!;

    /// <summary>A listening TCP socket on the receiver (backlog large enough that the kernel completes every handshake).</summary>
    internal Socket Listen(IPEndPoint endpoint) => Own(Receiver.Run(() =>
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(endpoint);
        socket.Listen(128);
        return socket;
    }));

    /// <summary>A TCP socket in the sender namespace bound to <paramref name="source"/>.</summary>
    internal Socket Client(IPAddress source) => Own(Sender.Run(() =>
    {
        var socket = new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(source, 0));
        return socket;
    }));

    /// <summary>A UDP socket in the sender namespace bound to <paramref name="source"/>.</summary>
    internal Socket UdpSender(IPAddress source) => Own(Sender.Run(() =>
    {
        var socket = new Socket(source.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(source, 0));
        return socket;
    }));

    /// <summary>A bound UDP socket in the receiver namespace.</summary>
    internal Socket UdpReceiver(IPEndPoint endpoint) => Own(Receiver.Run(() =>
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(endpoint);
        return socket;
    }));

    /// <summary>Sends whole Ethernet frames (VLAN tags and all) out of the sender's veth end, exactly as built.</summary>
    internal void SendFrames(IEnumerable<byte[]> frames) => PacketSender.SendOnce(Pair.SenderNamespace, Pair.SenderInterface, [.. frames]);

    /// <summary>Connects within <paramref name="timeout"/>; false when the handshake did not complete in time.</summary>
    internal static async Task<bool> TryConnectAsync(Socket socket, IPEndPoint server, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await socket.ConnectAsync(server, cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Starts a connection from <paramref name="client"/> and waits until the TC stage has refused its SYN
    /// (tc_conn_limit grew), then abandons it; false when no refusal was counted within the generous bound.
    /// </summary>
    internal async Task<bool> ConnectionRefusedAsync(IPAddress client, IPEndPoint server)
    {
        ulong refused = Stage.Stat(GuardReason.TcConnectionLimit).Packets;
        using var cancel = new CancellationTokenSource();
        using var socket = Client(client);
        var attempt = socket.ConnectAsync(server, cancel.Token).AsTask();
        bool counted = await EventuallyAsync(() => Stage.Stat(GuardReason.TcConnectionLimit).Packets > refused);
        await cancel.CancelAsync();
        try { await attempt; }
        catch (Exception error) when (error is OperationCanceledException or SocketException) { }
        return counted;
    }

    /// <summary>Polls <paramref name="condition"/> every 10 ms for up to <see cref="Sluice.Tests.Wait.Generous"/>.</summary>
    internal static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        long deadline = Environment.TickCount64 + (long)Sluice.Tests.Wait.Generous.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            if (condition()) return true;
            await Task.Delay(10);
        }
        return condition();
    }

    private T Own<T>(T resource) where T : IDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    public void Dispose()
    {
        // Sockets and links first, then the maps' pins, then the namespaces (which would also drop the links).
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            try { _owned[i].Dispose(); }
            catch (Exception error) when (error is BpfException or IOException or InvalidOperationException) { }
        }
        Pair.Dispose();
    }
}
