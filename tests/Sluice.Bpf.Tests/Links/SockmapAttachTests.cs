using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;
using static Sluice.Lab.VethNamespaces;

namespace Sluice.Bpf.Tests.Links;

public class SockmapAttachTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sk_msg_redirect_between_two_tcp_sockets_delivers_megabytes_intact(bool legacyAttach)
    {
        Requires.Root();
        using var bed = new TestBed();
        using var collection = BpfCollection.Load(Fixture.Path("attach_sockmap"));
        var map = collection.Map("sock_hash");
        var program = collection.Program("redirect_peer");
        var (client, server) = Connect(bed);
        using var clientSocket = client;
        using var serverSocket = server;

        using (var attachment = legacyAttach
            ? SockmapProgramAttachment.Attach(program.Fd, map, BpfAttachType.SkMsgVerdict)
            : Sockmap.Attach(program, map, BpfAttachType.SkMsgVerdict))
        {
            Assert.Equal(legacyAttach ? AttachmentKind.SockmapProgram : AttachmentKind.SockmapLink, attachment.Kind);
            AddToMap(map, client, server);
            var listed = Assert.Single(Sockmap.ListAll(), a => a.MapId == BpfMapInfo.FromFd(map.Fd).Id);
            Assert.Equal((BpfAttachType.SkMsgVerdict, program.Id, "redirect_peer"), (listed.AttachType, listed.ProgramId, listed.ProgramName));

            byte[] data = RandomNumberGenerator.GetBytes(8 << 20);
            byte[] received = [];
            var reader = new Thread(() => received = ReadExactly(server, data.Length));
            reader.Start();
            SendAll(client, data);
            Assert.True(reader.Join(TimeSpan.FromSeconds(60)), "transfer stalled");

            Assert.Equal(SHA256.HashData(data), SHA256.HashData(received));
            Assert.Equal((ulong)data.Length, Stat(collection.Map("msg_stats"), 1));
        }

        // A socket takes the map's programs when it is added, so detaching shows on sockets added afterwards:
        // a new pair in the map still talks, and the program no longer sees its traffic.
        Assert.DoesNotContain(Sockmap.ListAll(), a => a.MapId == BpfMapInfo.FromFd(map.Fd).Id);
        var (client2, server2) = Connect(bed);
        using var secondClient = client2;
        using var secondServer = server2;
        AddToMap(map, client2, server2);
        ulong before = Stat(collection.Map("msg_stats"), 1);
        SendAll(client2, new byte[1000]);
        Assert.Equal(1000, ReadExactly(server2, 1000).Length);
        Assert.Equal(before, Stat(collection.Map("msg_stats"), 1));
    }

    private static (Socket Client, Socket Server) Connect(TestBed bed) => bed.Receiver.Run(() =>
    {
        // Both ends live in the receiver namespace, talking over its own address: traffic never leaves it.
        using var listener = new TcpListener(IPAddress.Parse(ReceiverAddress), 0);
        listener.Start();
        var connecting = new TcpClient();
        connecting.Connect((IPEndPoint)listener.LocalEndpoint);
        return (connecting.Client, listener.AcceptSocket());
    });

    /// <summary>Each socket goes in under its local port, which is what the program looks its peer up by.</summary>
    private static void AddToMap(BpfMap map, params Socket[] sockets)
    {
        foreach (var socket in sockets)
            Sockmap.SetSocket(map, BitConverter.GetBytes((uint)((IPEndPoint)socket.LocalEndPoint!).Port), socket);
    }

    [Fact]
    public void Socket_programs_need_a_socket_map()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("attach_sockmap"));
        var error = Assert.Throws<ArgumentException>(() =>
            Sockmap.Attach(collection.Program("redirect_peer"), collection.Map("msg_stats"), BpfAttachType.SkMsgVerdict));
        Assert.Contains("msg_stats", error.Message, StringComparison.Ordinal);
    }

    private static void SendAll(Socket socket, byte[] data)
    {
        for (int offset = 0; offset < data.Length;)
            offset += socket.Send(data, offset, Math.Min(64 << 10, data.Length - offset), SocketFlags.None);
    }

    private static byte[] ReadExactly(Socket socket, int length)
    {
        var buffer = new byte[length];
        socket.ReceiveTimeout = 30_000;
        for (int offset = 0; offset < length;)
        {
            int read = socket.Receive(buffer, offset, length - offset, SocketFlags.None);
            if (read == 0) throw new EndOfStreamException($"peer closed after {offset} of {length} bytes");
            offset += read;
        }
        return buffer;
    }

    private static ulong Stat(BpfMap map, uint slot)
    {
        var value = new byte[8];
        map.TryLookup(BitConverter.GetBytes(slot), value);
        return BitConverter.ToUInt64(value);
    }
}
