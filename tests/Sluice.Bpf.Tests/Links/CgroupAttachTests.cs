using System.Net;
using System.Net.Sockets;
using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;
using static Sluice.Lab.VethNamespaces;

namespace Sluice.Bpf.Tests.Links;

public class CgroupAttachTests
{
    private const uint ActiveEstablished = 4; // BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB

    [Theory]
    [InlineData(CgroupAttachMethod.Link)]
    [InlineData(CgroupAttachMethod.ProgramAttach)]
    public void Sock_ops_fires_for_a_process_inside_the_cgroup_and_not_for_one_outside(CgroupAttachMethod method)
    {
        Requires.Root();
        using var bed = new TestBed();
        using var collection = BpfCollection.Load(Fixture.Path("attach_sockops"));
        var events = collection.Map("sockops_events");
        string cgroup = Path.Combine(Cgroup.Root, $"sluice-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(cgroup);
        using var listener = bed.Receiver.Run(() =>
        {
            var socket = new TcpListener(IPAddress.Parse(ReceiverAddress), 0);
            socket.Start();
            return socket;
        });
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        try
        {
            using (var attachment = Cgroup.Attach(collection.Program("count_sockops"), cgroup, BpfAttachType.CgroupSockOps, method))
            {
                Assert.Equal(method == CgroupAttachMethod.Link ? AttachmentKind.CgroupLink : AttachmentKind.CgroupProgram, attachment.Kind);
                Assert.Equal([collection.Program("count_sockops").Id], Cgroup.Query(cgroup, BpfAttachType.CgroupSockOps));
                var listed = Assert.Single(Cgroup.ListAll(), a => a.CgroupPath == cgroup);
                Assert.Equal((BpfAttachType.CgroupSockOps, collection.Program("count_sockops").Id, "count_sockops"),
                    (listed.AttachType, listed.ProgramId, listed.ProgramName));

                // This test process is outside the cgroup: its connection goes unseen.
                bed.Sender.Run(() =>
                {
                    using var client = new TcpClient();
                    client.Connect(ReceiverAddress, port);
                });
                Assert.Equal(0UL, Read(events, ActiveEstablished));

                // A child placed in the cgroup before it connects is seen.
                ShellCommand.Run("sh", "-c",
                    $"echo $$ > {cgroup}/cgroup.procs && exec nsenter --net=/var/run/netns/{bed.Pair.SenderNamespace} " +
                    $"bash -c 'exec 3<>/dev/tcp/{ReceiverAddress}/{port}'");
                Assert.Equal(1UL, Read(events, ActiveEstablished));
            }
            Assert.Empty(Cgroup.Query(cgroup, BpfAttachType.CgroupSockOps));
            Assert.DoesNotContain(Cgroup.ListAll(), a => a.CgroupPath == cgroup);
        }
        finally
        {
            RemoveCgroup(cgroup);
        }
    }

    [Fact]
    public void Wrong_program_type_for_the_cgroup_hook_is_named()
    {
        Requires.Root();
        using var drop = DropList.Xdp();
        string cgroup = Path.Combine(Cgroup.Root, $"sluice-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(cgroup);
        try
        {
            var error = Assert.Throws<BpfAttachException>(() => Cgroup.Attach(drop.A, cgroup, BpfAttachType.CgroupSockOps));
            Assert.Equal(AttachFailure.WrongProgramType, error.Reason);
            Assert.Contains("xdp_drop_a", error.Message, StringComparison.Ordinal);
            Assert.Throws<DirectoryNotFoundException>(() => Cgroup.Attach(drop.A, cgroup + "-missing", BpfAttachType.CgroupSockOps));
        }
        finally
        {
            RemoveCgroup(cgroup);
        }
    }

    private static ulong Read(BpfMap map, uint key)
    {
        var value = new byte[8];
        map.TryLookup(BitConverter.GetBytes(key), value);
        return BitConverter.ToUInt64(value);
    }

    /// <summary>rmdir fails while the cgroup still has a process; the child has exited by now, but give it a moment.</summary>
    private static void RemoveCgroup(string path)
    {
        for (int attempt = 0; attempt < 50 && Directory.Exists(path); attempt++)
        {
            try
            {
                Directory.Delete(path);
            }
            catch (IOException)
            {
                Thread.Sleep(20);
            }
        }
    }
}
