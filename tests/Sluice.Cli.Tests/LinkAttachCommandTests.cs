using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sluice.Bpf;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

/// <summary>
/// `sluice link attach`: tp_btf, raw_tp and perf tracepoint programs of tests/Fixtures/tracing.bpf.c attached through
/// pinned links on sock:inet_sock_set_state count exactly the connections the test makes after sluice has exited.
/// </summary>
public partial class LinkAttachCommandTests
{
    private const int Connections = 5;

    [Fact]
    public void Pinned_tracing_links_count_the_connections_a_test_makes()
    {
        Requires.Root();
        using var pins = new TestPinDirectory(create: true);
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        string Pin(string name) => Path.Combine(pins.Path, name);
        foreach (string name in new[] { "count_connects_btf", "count_connects_raw", "count_connects_tp" }) collection.Program(name).Pin(Pin(name));

        string btf = CliAssert.Succeeds("link", "attach", "--prog", Pin("count_connects_btf"), "--pin", Pin("link_btf")).Stdout;
        Assert.Contains("tracepoint inet_sock_set_state", btf, StringComparison.Ordinal);
        var raw = CliAssert.Succeeds("link", "attach", "--prog", Pin("count_connects_raw"), "raw_tp/inet_sock_set_state", "--pin", Pin("link_raw"), "--json").Json();
        Assert.Equal("raw_tracepoint", raw.GetProperty("type").GetString());
        var perf = CliAssert.Succeeds("link", "attach", "--prog", Pin("count_connects_tp"), "tracepoint/sock/inet_sock_set_state", "--pin-link", Pin("link_tp"), "--json").Json();
        Assert.Equal("perf_event", perf.GetProperty("type").GetString());
        Assert.True(File.Exists(Pin("link_tp")));

        Connect(Connections, tid => collection.WriteGlobal("target_tid", tid));

        var counts = new byte[collection.Map("tracing_counts").ValueBufferSize];
        Assert.True(collection.Map("tracing_counts").TryLookup(new byte[4], counts));
        Assert.Equal((ulong)Connections, BitConverter.ToUInt64(counts, 0)); // tp_btf
        Assert.Equal((ulong)Connections, BitConverter.ToUInt64(counts, 8)); // raw_tp
        Assert.Equal((ulong)Connections, BitConverter.ToUInt64(counts, 16)); // tracepoint
    }

    [Fact]
    public void Attach_without_a_target_a_bad_target_or_a_taken_pin_is_one_line()
    {
        Requires.Root();
        using var pins = new TestPinDirectory(create: true);
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        string program = Path.Combine(pins.Path, "count_connects_tp");
        collection.Program("count_connects_tp").Pin(program);

        Assert.Contains("name where to attach it", CliAssert.FailsWithOneLine("link", "attach", "--prog", program, "--pin", Path.Combine(pins.Path, "l")), StringComparison.Ordinal);
        Assert.Contains("'bogus/x' is not an attach target", CliAssert.FailsWithOneLine("link", "attach", "--prog", program, "bogus/x", "--pin", Path.Combine(pins.Path, "l")), StringComparison.Ordinal);
        Assert.Contains("already exists", CliAssert.FailsWithOneLine("link", "attach", "--prog", program, "tracepoint/sock/inet_sock_set_state", "--pin", program), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(pins.Path, "l")));
    }

    /// <summary>Connects from one thread of a sender namespace to a listener in a receiver namespace (both made here).</summary>
    private static void Connect(int count, Action<uint> before)
    {
        using var pair = new VethNamespaces();
        using var sender = NetworkNamespace.Open(pair.SenderNamespace);
        using var receiver = NetworkNamespace.Open(pair.ReceiverNamespace);
        int port = 21000 + Environment.ProcessId % 20000;
        var address = IPAddress.Parse(VethNamespaces.ReceiverAddress);
        using var listener = receiver.Run(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(count + 8);
            return socket;
        });
        sender.Run(() =>
        {
            before((uint)GetTid());
            for (int i = 0; i < count; i++)
            {
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                client.Connect(new IPEndPoint(address, port));
            }
        });
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
