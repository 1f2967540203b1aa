using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sluice.Bpf.Tests.Links;

/// <summary>
/// Real UDP traffic between the namespaces of a <see cref="VethNamespaces"/>: one receiver socket created inside the
/// receiver namespace and one sender socket per source address created inside the sender namespace. Sockets keep
/// the namespace they were created in, so after creation they are used from the test thread.
/// </summary>
internal sealed class UdpTraffic : IDisposable
{
    internal const int Port = 9999;
    private readonly Socket _receiver;
    private readonly Dictionary<string, Socket> _senders = [];
    private readonly IPEndPoint _destination;

    internal UdpTraffic(VethNamespaces pair, NetworkNamespace sender, NetworkNamespace receiver, string destination = VethNamespaces.ReceiverAddress)
    {
        _destination = new IPEndPoint(IPAddress.Parse(destination), Port);
        _receiver = receiver.Run(() =>
        {
            var socket = new Socket(_destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20 };
            socket.Bind(_destination);
            return socket;
        });
        foreach (var source in new[] { VethNamespaces.SenderAddress, VethNamespaces.SenderSecondAddress })
            _senders[source] = sender.Run(() =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
                return socket;
            });
        _ = pair;
    }

    /// <summary>Sends <paramref name="count"/> datagrams from <paramref name="source"/>, paced so no queue overflows.</summary>
    internal void Send(string source, int count)
    {
        var payload = new byte[32];
        for (int i = 0; i < count; i++)
        {
            _senders[source].SendTo(payload, _destination);
            // veth's XDP ring holds 256 frames and the receive buffer a few thousand: short bursts never fill either.
            if (i % 32 == 31) Thread.Sleep(1);
        }
    }

    /// <summary>
    /// Receives until <paramref name="expected"/> datagrams arrived and then a short quiet period passed (so extra
    /// deliveries are seen too), or until nothing arrives for two seconds. Returns the count per source address.
    /// </summary>
    internal Dictionary<string, int> Receive(int expected)
    {
        var counts = new Dictionary<string, int>();
        int total = 0;
        var buffer = new byte[2048];
        var quiet = Stopwatch.StartNew();
        while (true)
        {
            var wait = total >= expected ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(2);
            if (!_receiver.Poll(wait, SelectMode.SelectRead)) return counts;
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            _receiver.ReceiveFrom(buffer, ref from);
            string address = ((IPEndPoint)from).Address.ToString();
            counts[address] = counts.GetValueOrDefault(address) + 1;
            total++;
            quiet.Restart();
        }
    }

    public void Dispose()
    {
        _receiver.Dispose();
        foreach (var socket in _senders.Values) socket.Dispose();
    }
}
