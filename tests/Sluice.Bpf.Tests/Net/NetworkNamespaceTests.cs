using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Net;

public class NetworkNamespaceTests
{
    [Fact]
    public void Run_executes_inside_the_namespace_on_a_thread_that_is_not_the_callers()
    {
        Requires.Root();
        using var pair = new VethNamespaces();
        using var netns = NetworkNamespace.Open(pair.ReceiverNamespace);
        int callerThread = Environment.CurrentManagedThreadId;

        var (names, thread, pooled) = netns.Run(() => (
            NetworkInterface.GetAllNetworkInterfaces().Select(i => i.Name).Order().ToArray(),
            Environment.CurrentManagedThreadId,
            Thread.CurrentThread.IsThreadPoolThread));

        Assert.Equal(["lo", pair.ReceiverInterface], names);
        Assert.NotEqual(callerThread, thread);
        Assert.False(pooled);
        // The caller's own namespace is untouched.
        Assert.DoesNotContain(pair.ReceiverInterface, NetworkInterface.GetAllNetworkInterfaces().Select(i => i.Name));
    }

    [Fact]
    public void Exceptions_thrown_inside_reach_the_caller_with_their_type()
    {
        Requires.Root();
        using var pair = new VethNamespaces();
        using var netns = NetworkNamespace.Open(pair.SenderNamespace);
        var error = Assert.Throws<InvalidOperationException>(() => netns.Run(() => throw new InvalidOperationException("inside")));
        Assert.Equal("inside", error.Message);
    }

    [Fact]
    public void Interface_index_lookup_is_per_namespace()
    {
        Requires.Root();
        using var pair = new VethNamespaces();
        using var sender = NetworkNamespace.Open(pair.SenderNamespace);
        using var receiver = NetworkNamespace.Open(pair.ReceiverNamespace);
        Assert.Equal(1, sender.GetInterfaceIndex("lo"));
        Assert.NotNull(sender.TryGetInterfaceIndex(pair.SenderInterface));
        Assert.Null(sender.TryGetInterfaceIndex(pair.ReceiverInterface));
        var error = Assert.Throws<BpfAttachException>(() => receiver.GetInterfaceIndex(pair.SenderInterface));
        Assert.Equal(AttachFailure.InterfaceNotFound, error.Reason);
        Assert.Contains(pair.ReceiverNamespace, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Opening_by_name_path_and_current()
    {
        Requires.Root();
        using var pair = new VethNamespaces();
        using var byName = NetworkNamespace.Open(pair.SenderNamespace);
        using var byPath = NetworkNamespace.OpenPath($"/var/run/netns/{pair.SenderNamespace}");
        using var current = NetworkNamespace.Current();
        Assert.Equal(pair.SenderNamespace, byName.Name);
        Assert.Null(byPath.Name);
        Assert.Equal(byName.GetInterfaceIndex(pair.SenderInterface), byPath.GetInterfaceIndex(pair.SenderInterface));
        Assert.Null(current.TryGetInterfaceIndex(pair.SenderInterface));

        Assert.Throws<FileNotFoundException>(() => NetworkNamespace.Open("sluice-no-such-namespace"));
        Assert.Throws<ArgumentException>(() => NetworkNamespace.Open("../etc"));
    }

    [Fact]
    public void Concurrent_runs_in_different_namespaces_never_see_each_other()
    {
        Requires.Root();
        using var pair = new VethNamespaces();
        using var sender = NetworkNamespace.Open(pair.SenderNamespace);
        using var receiver = NetworkNamespace.Open(pair.ReceiverNamespace);
        var seen = new string[40];
        Parallel.For(0, seen.Length, i =>
        {
            var (netns, device) = i % 2 == 0 ? (sender, pair.SenderInterface) : (receiver, pair.ReceiverInterface);
            seen[i] = netns.Run(() => NetworkInterface.GetAllNetworkInterfaces().Single(n => n.Name != "lo").Name) == device ? "ok" : "wrong";
        });
        Assert.All(seen, s => Assert.Equal("ok", s));
        // Thread-pool threads that ran the loop are back in (or never left) the original namespace.
        Assert.DoesNotContain(pair.SenderInterface, NetworkInterface.GetAllNetworkInterfaces().Select(i => i.Name));
    }

    [Fact]
    public void Fixture_carries_ipv6_between_its_namespaces()
    {
        Requires.Root();
        using var pair = new VethNamespaces();
        using var sender = NetworkNamespace.Open(pair.SenderNamespace);
        using var receiver = NetworkNamespace.Open(pair.ReceiverNamespace);
        var destination = new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress6), 9998);
        using var inbound = receiver.Run(() =>
        {
            var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(destination);
            return socket;
        });
        using var outbound = sender.Run(() => new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp));
        outbound.SendTo([1, 2, 3], destination);
        Assert.True(inbound.Poll(Wait.Generous, SelectMode.SelectRead), "no IPv6 datagram arrived");
        EndPoint from = new IPEndPoint(IPAddress.IPv6Any, 0);
        var buffer = new byte[16];
        Assert.Equal(3, inbound.ReceiveFrom(buffer, ref from));
        Assert.Equal(IPAddress.Parse(VethNamespaces.SenderAddress6), ((IPEndPoint)from).Address);
    }

    [Fact]
    public void Fixture_namespaces_are_gone_after_dispose()
    {
        Requires.Root();
        string sender, receiver;
        using (var pair = new VethNamespaces())
        {
            (sender, receiver) = (pair.SenderNamespace, pair.ReceiverNamespace);
            Assert.True(VethNamespaces.Exists(sender) && VethNamespaces.Exists(receiver));
        }
        Assert.False(VethNamespaces.Exists(sender));
        Assert.False(VethNamespaces.Exists(receiver));
    }
}
