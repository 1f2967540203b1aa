using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sluice.Bpf;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

/// <summary>
/// `sluice link attach`: tp_btf, raw_tp and perf tracepoint programs of tests/Fixtures/tracing.bpf.c attached through
/// pinned links on sock:inet_sock_set_state count exactly the connections the test makes after sluice has exited; a
/// uprobe counts the calls of a binary the test compiles; kprobes are refused in one line where the kernel has none.
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

    [Fact]
    public void Pinned_uprobe_link_counts_the_calls_of_a_test_binary_and_kprobes_are_refused_in_one_line()
    {
        Requires.Root();
        if (!File.Exists("/usr/bin/gcc")) Requires.Unavailable("gcc is not installed");
        using var pins = new TestPinDirectory(create: true);
        string directory = Directory.CreateTempSubdirectory($"sluice-cli-uprobe-{Environment.ProcessId}-").FullName;
        try
        {
            string source = Path.Combine(directory, "probed.c"), binary = Path.Combine(directory, "probed");
            File.WriteAllText(source, """
                #include <stdlib.h>
                __attribute__((noinline)) int sluice_cli_probe_target(int value) { __asm__ volatile("" ::: "memory"); return value + 1; }
                int main(int argc, char **argv) { int n = atoi(argv[1]), sum = 0; for (int i = 0; i < n; i++) sum += sluice_cli_probe_target(i); return sum == -1; }
                """);
            ShellCommand.Run("gcc", "-O1", "-o", binary, source);
            using var collection = BpfCollection.Load(Fixture.Path("tracing"));
            string program = Path.Combine(pins.Path, "count_uprobe");
            collection.Program("count_uprobe").Pin(program);

            var link = CliAssert.Succeeds("link", "attach", "--prog", program, $"uprobe/{binary}:sluice_cli_probe_target",
                "--pin", Path.Combine(pins.Path, "link_uprobe"), "--json").Json();
            Assert.Equal("perf_event", link.GetProperty("type").GetString());
            ShellCommand.Run(binary, "7");
            var counts = new byte[collection.Map("tracing_counts").ValueBufferSize];
            Assert.True(collection.Map("tracing_counts").TryLookup(new byte[4], counts));
            Assert.Equal(7UL, BitConverter.ToUInt64(counts, 24));

            Assert.Contains("no_such_function", CliAssert.FailsWithOneLine("link", "attach", "--prog", program,
                $"uprobe/{binary}:no_such_function", "--pin", Path.Combine(pins.Path, "l")), StringComparison.Ordinal);
            if (!Kprobe.IsSupported)
            {
                collection.Program("probe_tcp_connect").Pin(Path.Combine(pins.Path, "probe_tcp_connect"));
                Assert.Contains("CONFIG_KPROBES", CliAssert.FailsWithOneLine("link", "attach", "--prog", Path.Combine(pins.Path, "probe_tcp_connect"),
                    "kprobe/tcp_v4_connect", "--pin", Path.Combine(pins.Path, "l")), StringComparison.Ordinal);
            }
            Assert.False(File.Exists(Path.Combine(pins.Path, "l")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
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
