using System.Net;
using System.Net.Sockets;
using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;
using static Sluice.Lab.VethNamespaces;

namespace Sluice.Bpf.Tests.Links;

/// <summary>
/// cgroup_skb (egress) and sock_addr (connect4) programs attached to a cgroup of the test's own, judged by what a
/// child process inside the cgroup experiences: its packets counted or refused, its connect() to the refused port
/// failing with EPERM while another succeeds. This process stays outside the cgroup and is not affected.
/// </summary>
public class CgroupSkbAndSockAddrTests
{
    private const int RefusedPort = 9998;

    [Theory]
    [InlineData(CgroupAttachMethod.Link)]
    [InlineData(CgroupAttachMethod.ProgramAttach)]
    public void Cgroup_skb_egress_counts_and_drops_only_the_cgroups_packets(CgroupAttachMethod method)
    {
        Requires.Root();
        using var bed = new TestBed();
        using var collection = BpfCollection.Load(Fixture.Path("attach_cgroup"));
        using var cgroup = new TestCgroup();
        var counts = collection.Map("cgroup_counts");

        using (var attachment = Cgroup.Attach(collection.Program("count_egress"), cgroup.Path, BpfAttachType.CgroupInetEgress, method))
        {
            Assert.Equal([collection.Program("count_egress").Id], Cgroup.Query(cgroup.Path, BpfAttachType.CgroupInetEgress));
            SendUdpFromOutside(bed);
            Assert.Equal(0UL, Read(counts, 0));
            Assert.Equal(0, cgroup.RunInside(bed, $"echo counted > /dev/udp/{ReceiverAddress}/9999", out _));
            Assert.True(Read(counts, 0) >= 1, "the cgroup's datagram was not counted");
        }
        Assert.Empty(Cgroup.Query(cgroup.Path, BpfAttachType.CgroupInetEgress));

        using (Cgroup.Attach(collection.Program("drop_egress"), cgroup.Path, BpfAttachType.CgroupInetEgress, method))
        {
            SendUdpFromOutside(bed); // not in the cgroup: still sends
            Assert.NotEqual(0, cgroup.RunInside(bed, $"echo dropped > /dev/udp/{ReceiverAddress}/9999", out string error));
            Assert.Contains("Operation not permitted", error, StringComparison.Ordinal);
        }
        Assert.Equal(0, cgroup.RunInside(bed, $"echo detached > /dev/udp/{ReceiverAddress}/9999", out _));
    }

    [Theory]
    [InlineData(CgroupAttachMethod.Link)]
    [InlineData(CgroupAttachMethod.ProgramAttach)]
    public void Connect4_program_refuses_one_port_for_the_cgroup_only(CgroupAttachMethod method)
    {
        Requires.Root();
        using var bed = new TestBed();
        using var collection = BpfCollection.Load(Fixture.Path("attach_cgroup"));
        using var cgroup = new TestCgroup();
        var counts = collection.Map("cgroup_counts");
        using var open = Listen(bed, 0);
        using var refused = Listen(bed, RefusedPort);
        int openPort = ((IPEndPoint)open.LocalEndpoint).Port;

        using (var attachment = Cgroup.Attach(collection.Program("refuse_connect4"), cgroup.Path, BpfAttachType.CgroupInet4Connect, method))
        {
            Assert.Equal([collection.Program("refuse_connect4").Id], Cgroup.Query(cgroup.Path, BpfAttachType.CgroupInet4Connect));
            // Outside the cgroup the refused port is reachable and nothing is counted.
            bed.Sender.Run(() =>
            {
                using var client = new TcpClient();
                client.Connect(ReceiverAddress, RefusedPort);
            });
            Assert.Equal(0UL, Read(counts, 1));

            Assert.Equal(0, cgroup.RunInside(bed, $"exec 3<>/dev/tcp/{ReceiverAddress}/{openPort}", out _));
            Assert.NotEqual(0, cgroup.RunInside(bed, $"exec 3<>/dev/tcp/{ReceiverAddress}/{RefusedPort}", out string error));
            Assert.Contains("Operation not permitted", error, StringComparison.Ordinal);
            Assert.Equal(2UL, Read(counts, 1));
        }
        Assert.Empty(Cgroup.Query(cgroup.Path, BpfAttachType.CgroupInet4Connect));
        Assert.Equal(0, cgroup.RunInside(bed, $"exec 3<>/dev/tcp/{ReceiverAddress}/{RefusedPort}", out _));
    }

    private static TcpListener Listen(TestBed bed, int port) => bed.Receiver.Run(() =>
    {
        var listener = new TcpListener(IPAddress.Parse(ReceiverAddress), port);
        listener.Start();
        return listener;
    });

    private static void SendUdpFromOutside(TestBed bed) => bed.Sender.Run(() =>
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.SendTo("outside"u8.ToArray(), new IPEndPoint(IPAddress.Parse(ReceiverAddress), 9999));
    });

    private static ulong Read(BpfMap map, uint key)
    {
        var value = new byte[8];
        map.TryLookup(BitConverter.GetBytes(key), value);
        return BitConverter.ToUInt64(value);
    }

    /// <summary>A cgroup of this test under the cgroup v2 root; removed on dispose once its child processes are gone.</summary>
    private sealed class TestCgroup : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(Cgroup.Root, $"sluice-test-{Environment.ProcessId}-{Guid.NewGuid():N}");

        public TestCgroup() => Directory.CreateDirectory(Path);

        /// <summary>Runs a bash command in a child process that joins the cgroup and the sender namespace first.</summary>
        public int RunInside(TestBed bed, string command, out string error) =>
            ShellCommand.TryRun("sh", ["-c", $"echo $$ > {Path}/cgroup.procs && exec nsenter --net=/var/run/netns/{bed.Pair.SenderNamespace} bash -c '{command}'"],
                out _, out error);

        public void Dispose() => Wait.Until(() =>
        {
            try
            {
                if (Directory.Exists(Path)) Directory.Delete(Path);
                return true;
            }
            catch (IOException)
            {
                return false; // a child that just exited may still be counted in the cgroup
            }
        });
    }
}
