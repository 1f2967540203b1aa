using System.Net;
using System.Net.Sockets;
using Sluice.Bpf.Object;
using Sluice.Bpf.Tests.Programs;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Maps;

public class SpecialMapTests
{
    private const uint Loopback = 1;

    private static BpfProgram LoadXdpPass(string name) =>
        BpfProgram.Load(Asm.Program(name, BpfProgramType.Xdp, "GPL", Asm.MovImm(Asm.R0, 2), Asm.Exit()));

    [Fact]
    public void Devmap_holds_ifindex_and_optional_egress_program()
    {
        Requires.Root();
        using var devmap = BpfDevMap.Create("t_devmap", 4);
        devmap.Set(0, Loopback);
        Assert.True(devmap.TryGet(0, out var entry));
        Assert.Equal(new DevMapEntry(Loopback, 0), entry);
        Assert.False(devmap.TryGet(1, out _));

        // Egress programs must be XDP programs loaded for devmap (expected attach type BPF_XDP_DEVMAP); a plain XDP
        // program is refused, which shows the fd really reached the kernel.
        using var program = LoadXdpPass("t_devmap_prog");
        Assert.Throws<BpfException>(() => devmap.Set(1, Loopback, program.Fd));

        var noDevice = Assert.Throws<BpfException>(() => devmap.Set(2, 999_999));
        Assert.Equal("EINVAL", noDevice.ErrnoName);
        Assert.True(devmap.Delete(0));
        Assert.False(devmap.TryGet(0, out _));
    }

    [Fact]
    public void Devmap_hash_is_keyed_by_any_u32()
    {
        Requires.Root();
        using var devmap = BpfDevMapHash.Create("t_devhash", 8);
        devmap.Set(123_456, Loopback);
        Assert.True(devmap.TryGet(123_456, out var entry));
        Assert.Equal(Loopback, entry.IfIndex);
        Assert.Equal([123_456u], devmap.Keys.ToList());
    }

    [Fact]
    public void Four_byte_devmap_takes_ifindex_but_refuses_a_program()
    {
        Requires.Root();
        using var raw = BpfMap.Create(new MapSpec { Name = "t_devmap4", Type = BpfMapType.DevMap, KeySize = 4, ValueSize = 4, MaxEntries = 2 });
        using var devmap = new BpfDevMap(raw);
        devmap.Set(0, Loopback);
        Assert.True(devmap.TryGet(0, out var entry));
        Assert.Equal(Loopback, entry.IfIndex);
        using var program = LoadXdpPass("t_devmap4_prog");
        Assert.Throws<InvalidOperationException>(() => devmap.Set(1, Loopback, program.Fd));
    }

    [Fact]
    public void Cpumap_stores_queue_size()
    {
        Requires.Root();
        using var cpumap = BpfCpuMap.Create("t_cpumap");
        Assert.Equal((uint)PossibleCpus.Count, cpumap.MaxEntries);
        cpumap.Set(0, 192);
        Assert.True(cpumap.TryGet(0, out var entry));
        Assert.Equal(192u, entry.QueueSize);
        Assert.Equal(0u, entry.ProgramId);
        Assert.Equal("E2BIG", Assert.Throws<BpfException>(() => cpumap.Set(cpumap.MaxEntries, 64)).ErrnoName);
        // Queue size 0 is the kernel's way of disabling a CPU, same as deleting it.
        cpumap.Set(0, 0);
        Assert.False(cpumap.TryGet(0, out _));
        cpumap.Set(0, 64);
        Assert.True(cpumap.Delete(0));
        Assert.False(cpumap.TryGet(0, out _));
    }

    [Fact]
    public void Sockmap_and_sockhash_take_connected_sockets_and_return_their_cookies()
    {
        Requires.Root();
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var server = listener.Accept();

        using var sockmap = BpfSockMap.Create("t_sockmap", 4);
        sockmap.Set(0, client);
        sockmap.Set(1, server);
        Assert.True(sockmap.TryGetCookie(0, out ulong clientCookie));
        Assert.True(sockmap.TryGetCookie(1, out ulong serverCookie));
        Assert.Equal(Cookie(client), clientCookie);
        Assert.Equal(Cookie(server), serverCookie);
        Assert.NotEqual(clientCookie, serverCookie);
        Assert.False(sockmap.TryGetCookie(2, out _));

        using var sockhash = BpfSockHash<ulong>.Create("t_sockhash", 4);
        sockhash.Set(0xDEADBEEF, server);
        Assert.True(sockhash.TryGetCookie(0xDEADBEEF, out ulong viaHash));
        Assert.Equal(serverCookie, viaHash);
        Assert.True(sockhash.Delete(0xDEADBEEF));
        Assert.False(sockhash.TryGetCookie(0xDEADBEEF, out _));

        // An unconnected TCP socket is not accepted.
        using var loose = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.Throws<BpfException>(() => sockmap.Set(2, loose));
    }

    [Fact]
    public void Four_byte_sockmap_cannot_report_cookies()
    {
        Requires.Root();
        using var raw = BpfMap.Create(new MapSpec { Name = "t_sockmap4", Type = BpfMapType.SockMap, KeySize = 4, ValueSize = 4, MaxEntries = 2 });
        using var sockmap = new BpfSockMap(raw);
        var error = Assert.Throws<InvalidOperationException>(() => sockmap.TryGetCookie(0, out _));
        Assert.Contains("8-byte value", error.Message, StringComparison.Ordinal);
    }

    private static ulong Cookie(Socket socket)
    {
        var buffer = new byte[8];
        socket.GetRawSocketOption(1 /* SOL_SOCKET */, 57 /* SO_COOKIE */, buffer);
        return BitConverter.ToUInt64(buffer);
    }

    [Fact]
    public void Prog_array_takes_a_program_fd_and_returns_its_id()
    {
        Requires.Root();
        using var progs = BpfProgArray.Create("t_progarray", 4);
        using var program = LoadXdpPass("t_tail");
        progs.Set(2, program.Fd);
        Assert.True(progs.TryGetProgramId(2, out uint id));
        Assert.Equal(program.Id, id);
        Assert.False(progs.TryGetProgramId(0, out _));

        // A map fd is not a program.
        using var notAProgram = BpfArrayMap<uint>.Create("t_notprog", 1);
        Assert.Throws<BpfException>(() => progs.Set(0, notAProgram.Map.Fd));
        Assert.True(progs.Delete(2));
        Assert.False(progs.TryGetProgramId(2, out _));
    }

    [Fact]
    public void Array_and_hash_of_maps_take_inner_map_fds_and_return_ids()
    {
        Requires.Root();
        using var template = BpfHashMap<uint, ulong>.Create("t_inner_tpl", 8);
        using var inner = BpfHashMap<uint, ulong>.Create("t_inner", 8);
        inner.Update(1, 11);
        using var outer = BpfMapOfMaps<uint>.Create("t_outer_arr", BpfMapType.ArrayOfMaps, 4, template.Map);
        outer.Set(3, inner.Map);
        Assert.True(outer.TryGetInnerMapId(3, out uint id));
        Assert.Equal(inner.Map.GetInfo().Id, id);
        using (var reopened = new BpfHashMap<uint, ulong>(BpfMap.FromId(id), ownsMap: true))
            Assert.Equal(11UL, reopened.Lookup(1));

        using var hashOuter = BpfMapOfMaps<ulong>.Create("t_outer_hash", BpfMapType.HashOfMaps, 4, template.Map);
        hashOuter.Set(77, inner.Map);
        Assert.True(hashOuter.TryGetInnerMapId(77, out uint viaHash));
        Assert.Equal(id, viaHash);

        // A differently shaped inner map is refused.
        using var wrongShape = BpfHashMap<uint, uint>.Create("t_inner_bad", 8);
        Assert.Throws<BpfException>(() => outer.Set(0, wrongShape.Map));
    }

    [Fact]
    public void Queue_is_fifo_and_stack_is_lifo()
    {
        Requires.Root();
        using var queue = BpfQueue<ulong>.Create("t_queue", 3);
        using var stack = BpfStack<ulong>.Create("t_stack", 3);
        Assert.False(queue.TryPop(out _));
        Assert.False(stack.TryPeek(out _));
        foreach (ulong v in new ulong[] { 1, 2, 3 })
        {
            queue.Push(v);
            stack.Push(v);
        }
        Assert.Equal("E2BIG", Assert.Throws<BpfException>(() => queue.Push(4)).ErrnoName);
        Assert.True(queue.TryPeek(out ulong head));
        Assert.Equal(1UL, head);
        Assert.True(stack.TryPeek(out ulong top));
        Assert.Equal(3UL, top);

        queue.Push(4, overwriteWhenFull: true);
        var fromQueue = new List<ulong>();
        while (queue.TryPop(out ulong v)) fromQueue.Add(v);
        var fromStack = new List<ulong>();
        while (stack.TryPop(out ulong v)) fromStack.Add(v);
        Assert.Equal([2, 3, 4], fromQueue);
        Assert.Equal([3, 2, 1], fromStack);
    }

    [Fact]
    public void Bloom_filter_has_no_false_negatives_and_rejects_most_absent_values()
    {
        Requires.Root();
        using var bloom = BpfBloomFilter<uint>.Create("t_bloom", 1000, hashFunctions: 3);
        for (uint i = 0; i < 100; i++) bloom.Add(i * 7919);
        for (uint i = 0; i < 100; i++) Assert.True(bloom.MayContain(i * 7919));
        int falsePositives = Enumerable.Range(1_000_000, 1000).Count(i => bloom.MayContain((uint)i));
        Assert.InRange(falsePositives, 0, 100);
        Assert.Equal(3UL, bloom.Map.GetInfo().MapExtra);
    }

    [Fact]
    public void Xskmap_ringbuf_and_perf_event_array_are_created()
    {
        Requires.Root();
        using var xsk = BpfXskMap.Create("t_xsk", 4);
        Assert.Equal(BpfMapType.XskMap, xsk.Map.GetInfo().Type);
        // A TCP socket is not an AF_XDP socket.
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.Throws<BpfException>(() => xsk.Set(0, tcp.SafeHandle));

        using var ring = BpfMap.Create(new MapSpec { Name = "t_ringbuf", Type = BpfMapType.RingBuf, MaxEntries = 1 << 16 });
        Assert.Equal(BpfMapType.RingBuf, ring.GetInfo().Type);
        Assert.Equal(65536u, ring.GetInfo().MaxEntries);

        using var perf = BpfMap.Create(new MapSpec { Name = "t_perf", Type = BpfMapType.PerfEventArray, KeySize = 4, ValueSize = 4, MaxEntries = (uint)PossibleCpus.Count });
        Assert.Equal(BpfMapType.PerfEventArray, perf.GetInfo().Type);
    }

    [Fact]
    public void Special_views_refuse_wrong_map_types_and_sizes()
    {
        Requires.Root();
        using var hash = BpfMap.Create(new MapSpec { Name = "t_wrong", Type = BpfMapType.Hash, KeySize = 4, ValueSize = 4, MaxEntries = 1 });
        Assert.Contains("needs DevMap", Assert.Throws<ArgumentException>(() => new BpfDevMap(hash)).Message, StringComparison.Ordinal);
        Assert.Contains("needs Queue", Assert.Throws<ArgumentException>(() => new BpfQueue<uint>(hash)).Message, StringComparison.Ordinal);
        using var queue = BpfMap.Create(new MapSpec { Name = "t_wrongq", Type = BpfMapType.Queue, ValueSize = 4, MaxEntries = 1 });
        var size = Assert.Throws<ArgumentException>(() => new BpfQueue<ulong>(queue));
        Assert.Contains("the map's value is 4 bytes but UInt64 is 8 bytes", size.Message, StringComparison.Ordinal);
    }
}
