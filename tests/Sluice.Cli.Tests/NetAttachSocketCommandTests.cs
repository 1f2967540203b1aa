using System.Text.Json;
using Sluice.Bpf;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

/// <summary>`net attach|detach cgroup` on a throwaway cgroup under the v2 root, and `net attach|detach sockmap`.</summary>
public class NetAttachSocketCommandTests
{
    [Fact]
    public void Cgroup_attach_by_prog_attach_and_by_pinned_link_is_listed_and_detached()
    {
        Requires.Root();
        using var pins = new TestPinDirectory();
        string cgroup = Path.Combine(Cgroup.Root, $"sluice-cli-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(cgroup);
        try
        {
            CliAssert.Succeeds("object", "load", Fixture.Path("attach_sockops"), "--pin", pins.Path);
            string program = Path.Combine(pins.Path, "count_sockops");

            CliAssert.Succeeds("net", "attach", "cgroup", cgroup, "--prog", program, "--type", "sock_ops");
            var row = Assert.Single(Rows(cgroup));
            Assert.Equal("cgroup_sock_ops", row.GetProperty("detail").GetString());
            Assert.Equal("count_sockops", row.GetProperty("prog_name").GetString());
            Assert.Contains("already attached there",
                CliAssert.FailsWithOneLine("net", "attach", "cgroup", cgroup, "--prog", program, "--type", "sock_ops"), StringComparison.Ordinal);
            Assert.Contains("does not fit the hook",
                CliAssert.FailsWithOneLine("net", "attach", "cgroup", cgroup, "--prog", program, "--type", "cgroup_skb/ingress"), StringComparison.Ordinal);
            Assert.StartsWith("error: unknown cgroup attach type 'sock_opz'; use one of: ingress, egress,",
                CliAssert.FailsWithOneLine("net", "attach", "cgroup", cgroup, "--prog", program, "--type", "sock_opz"), StringComparison.Ordinal);

            CliAssert.Succeeds("net", "detach", "cgroup", cgroup, "--prog", program, "--type", "sockops");
            Assert.Empty(Rows(cgroup));

            string link = Path.Combine(pins.Path, "cgroup_link");
            CliAssert.Succeeds("net", "attach", "cgroup", cgroup, "--prog", program, "--type", "sock_ops", "--pin-link", link);
            Assert.Single(Rows(cgroup));
            Assert.Contains("use `sluice net detach link",
                CliAssert.FailsWithOneLine("net", "detach", "cgroup", cgroup, "--prog", program, "--type", "sock_ops"), StringComparison.Ordinal);
            CliAssert.Succeeds("net", "detach", "link", link);
            Assert.Empty(Rows(cgroup));
        }
        finally
        {
            Directory.Delete(cgroup); // a cgroup directory is removed with rmdir; its programs go with it
        }
    }

    [Fact]
    public void Sockmap_attach_is_listed_and_detached_and_only_socket_maps_are_accepted()
    {
        Requires.Root();
        using var pins = new TestPinDirectory();
        string maps = Path.Combine(pins.Path, "maps");
        CliAssert.Succeeds("object", "load", Fixture.Path("attach_sockmap"), "--pin", pins.Path, "--pin-maps", maps);
        string program = Path.Combine(pins.Path, "redirect_peer"), sockHash = Path.Combine(maps, "sock_hash");

        CliAssert.Succeeds("net", "attach", "sockmap", sockHash, "--prog", program, "--type", "sk_msg");
        uint mapId = CliAssert.Succeeds("map", "show", sockHash, "--json").Json()[0].GetProperty("id").GetUInt32();
        var row = Assert.Single(SockmapRows(mapId));
        Assert.Equal("sk_msg_verdict", row.GetProperty("detail").GetString());
        Assert.Equal("redirect_peer", row.GetProperty("prog_name").GetString());

        Assert.Contains("does not fit the hook",
            CliAssert.FailsWithOneLine("net", "attach", "sockmap", sockHash, "--prog", program, "--type", "stream_parser"), StringComparison.Ordinal);
        Assert.Equal("error: map 'msg_stats' is a array; socket programs attach to a sockmap or sockhash",
            CliAssert.FailsWithOneLine("net", "attach", "sockmap", Path.Combine(maps, "msg_stats"), "--prog", program, "--type", "sk_msg"));

        CliAssert.Succeeds("net", "detach", "sockmap", sockHash, "--prog", program, "--type", "msg_verdict");
        Assert.Empty(SockmapRows(mapId));
    }

    private static IEnumerable<JsonElement> Rows(string cgroup) =>
        CliAssert.Succeeds("net", "list", "--json").Json().EnumerateArray().Where(r => r.GetProperty("target").GetString() == cgroup).ToList();

    private static IEnumerable<JsonElement> SockmapRows(uint mapId) =>
        CliAssert.Succeeds("net", "list", "--json").Json().EnumerateArray()
            .Where(r => r.GetProperty("hook").GetString() == "sockmap" && r.GetProperty("target").GetString()!.EndsWith($"(map {mapId})", StringComparison.Ordinal))
            .ToList();
}
