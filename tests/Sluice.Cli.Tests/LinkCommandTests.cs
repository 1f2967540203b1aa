using System.Text.Json;
using Sluice.Bpf;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

/// <summary>`sluice link list|show|detach`: tracing links appear with their targets; `net list` stays networking.</summary>
public class LinkCommandTests
{
    [Fact]
    public void Link_list_shows_tracing_links_with_their_targets_and_net_list_does_not()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        using var raw = RawTracepointLink.Attach(collection.Program("count_connects_raw"), "inet_sock_set_state");
        using var perf = Tracepoint.Attach(collection.Program("count_connects_tp"), "sock", "inet_sock_set_state");
        using var btf = TracingLink.Attach(collection.Program("count_connects_btf"));

        var links = CliAssert.Succeeds("link", "list", "--json").Json().EnumerateArray().ToDictionary(l => l.GetProperty("id").GetUInt32());
        var rawRow = links[raw.Id];
        Assert.Equal("raw_tracepoint", rawRow.GetProperty("type").GetString());
        Assert.Equal(raw.ProgramId, rawRow.GetProperty("prog_id").GetUInt32());
        Assert.Equal("inet_sock_set_state", rawRow.GetProperty("tp_name").GetString());
        Assert.Equal("inet_sock_set_state", links[btf.Id].GetProperty("tp_name").GetString());
        var perfRow = links[perf.Id];
        Assert.Equal("perf_event", perfRow.GetProperty("type").GetString());
        Assert.Equal(perf.ProgramId, perfRow.GetProperty("prog_id").GetUInt32());

        string table = CliAssert.Succeeds("link", "list").Stdout;
        Assert.Contains("tracepoint inet_sock_set_state", table, StringComparison.Ordinal);

        var net = CliAssert.Succeeds("net", "list", "--json").Json();
        Assert.DoesNotContain(net.EnumerateArray(), row => row.TryGetProperty("link_id", out var id) && id.ValueKind == JsonValueKind.Number
            && (id.GetUInt32() == raw.Id || id.GetUInt32() == perf.Id));
        Assert.DoesNotContain("inet_sock_set_state", net.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Link_show_and_detach_work_on_a_pinned_link()
    {
        Requires.Root();
        using var pins = new TestPinDirectory(create: true);
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        string pin = Path.Combine(pins.Path, "raw_link");
        uint id;
        using (var raw = RawTracepointLink.Attach(collection.Program("count_connects_raw"), "inet_sock_set_state"))
        {
            raw.Pin(pin);
            id = raw.Id;
        }

        var shown = Assert.Single(CliAssert.Succeeds("link", "show", pin, "--json").Json().EnumerateArray());
        Assert.Equal(id, shown.GetProperty("id").GetUInt32());
        var byId = Assert.Single(CliAssert.Succeeds("link", "show", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json").Json().EnumerateArray());
        Assert.Equal("raw_tracepoint", byId.GetProperty("type").GetString());

        CliAssert.Succeeds("link", "detach", pin);
        Assert.False(File.Exists(pin));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (BpfLinkInfo.FromId(id) is { ProgramId: not 0 })
        {
            Assert.True(DateTime.UtcNow < deadline, $"link {id} still attached 20 s after `link detach`");
            Thread.Sleep(20);
        }
    }

    [Fact]
    public void Link_show_of_a_missing_link_is_one_line()
    {
        Requires.Root();
        Assert.Equal("error: no link with id 4000000000", CliAssert.FailsWithOneLine("link", "show", "4000000000"));
        Assert.Equal("error: /sys/fs/bpf/no-such-link-here: no such pinned link", CliAssert.FailsWithOneLine("link", "detach", "/sys/fs/bpf/no-such-link-here"));
    }
}
