using System.Text.Json;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

/// <summary>`net attach|detach xdp` and `net detach link` against veths in a throwaway namespace, plus the error lines.</summary>
public class NetAttachXdpCommandTests
{
    [Fact]
    public void Netlink_xdp_attach_outlives_the_cli_is_listed_with_its_mode_and_detach_removes_it()
    {
        Requires.Root();
        using var pins = new TestPinDirectory();
        using var ns = new TestNamespace();
        CliAssert.Succeeds("object", "load", Fixture.Path("attach_xdp"), "--pin", pins.Path);

        var attach = CliAssert.Succeeds("net", "attach", "xdp", "va", "--prog", Path.Combine(pins.Path, "xdp_drop_a"),
            "--mode", "generic", "--netns", ns.Name, "--json").Json();
        Assert.Equal("generic", attach.GetProperty("detail").GetString()!.Split(' ')[1]);
        Assert.Equal(JsonValueKind.Null, attach.GetProperty("link_id").ValueKind);

        var row = Assert.Single(List(ns.Name));
        Assert.Equal("xdp", row.GetProperty("hook").GetString());
        Assert.Equal("va", row.GetProperty("target").GetString());
        Assert.Equal("mode generic", row.GetProperty("detail").GetString());
        Assert.Equal("xdp_drop_a", row.GetProperty("prog_name").GetString());
        Assert.Equal(attach.GetProperty("prog_id").GetUInt32(), row.GetProperty("prog_id").GetUInt32());

        // The slot is taken: the error names the occupant.
        string occupied = CliAssert.FailsWithOneLine("net", "attach", "xdp", "va", "--prog", Path.Combine(pins.Path, "xdp_drop_b"),
            "--mode", "generic", "--netns", ns.Name);
        Assert.Contains("occupied by program", occupied, StringComparison.Ordinal);
        Assert.Contains("'xdp_drop_a'", occupied, StringComparison.Ordinal);

        // --replace swaps it.
        CliAssert.Succeeds("net", "attach", "xdp", "va", "--prog", Path.Combine(pins.Path, "xdp_drop_b"), "--mode", "generic",
            "--netns", ns.Name, "--replace");
        Assert.Equal("xdp_drop_b", Assert.Single(List(ns.Name)).GetProperty("prog_name").GetString());

        CliAssert.Succeeds("net", "detach", "xdp", "va", "--netns", ns.Name);
        Assert.Empty(List(ns.Name));
        Assert.Equal($"error: no XDP program attached to 'va' (netns {ns.Name})",
            CliAssert.FailsWithOneLine("net", "detach", "xdp", "va", "--netns", ns.Name));
    }

    [Fact]
    public void Pinned_xdp_link_is_listed_blocks_netlink_and_detach_link_removes_it_and_its_pin()
    {
        Requires.Root();
        using var pins = new TestPinDirectory();
        using var ns = new TestNamespace();
        CliAssert.Succeeds("object", "load", Fixture.Path("attach_xdp"), "--pin", pins.Path);
        string linkPin = Path.Combine(pins.Path, "xdp_link");

        var attach = CliAssert.Succeeds("net", "attach", "xdp", "vb", "--prog", Path.Combine(pins.Path, "xdp_drop_a"),
            "--mode", "native", "--netns", ns.Name, "--pin-link", linkPin, "--json").Json();
        uint linkId = attach.GetProperty("link_id").GetUInt32();
        Assert.True(File.Exists(linkPin));

        var row = Assert.Single(List(ns.Name));
        Assert.Equal("mode native", row.GetProperty("detail").GetString());
        Assert.Equal(linkId, row.GetProperty("link_id").GetUInt32());

        string held = CliAssert.FailsWithOneLine("net", "attach", "xdp", "vb", "--prog", Path.Combine(pins.Path, "xdp_drop_b"),
            "--mode", "native", "--netns", ns.Name);
        Assert.EndsWith($"release it with `sluice net detach link {linkId}`", held, StringComparison.Ordinal);

        CliAssert.Succeeds("net", "detach", "link", linkPin);
        Assert.False(File.Exists(linkPin));
        Assert.Empty(List(ns.Name));
    }

    [Fact]
    public void Attach_errors_are_one_line_each()
    {
        Requires.Root();
        using var pins = new TestPinDirectory();
        using var ns = new TestNamespace();
        CliAssert.Succeeds("object", "load", Fixture.Path("attach_xdp"), "--pin", Path.Combine(pins.Path, "xdp"));
        CliAssert.Succeeds("object", "load", Fixture.Path("attach_tc"), "--pin", Path.Combine(pins.Path, "tc"));
        string xdp = Path.Combine(pins.Path, "xdp", "xdp_drop_a");

        Assert.Equal($"error: interface 'nope0' does not exist in network namespace '{ns.Name}'",
            CliAssert.FailsWithOneLine("net", "attach", "xdp", "nope0", "--prog", xdp, "--netns", ns.Name));
        Assert.Equal("error: network namespace 'sluice-no-such-ns' not found (no /var/run/netns/sluice-no-such-ns)",
            CliAssert.FailsWithOneLine("net", "attach", "xdp", "va", "--prog", xdp, "--netns", "sluice-no-such-ns"));
        Assert.Contains("XDP needs a program of type Xdp",
            CliAssert.FailsWithOneLine("net", "attach", "xdp", "va", "--prog", Path.Combine(pins.Path, "tc", "tc_drop_a"), "--netns", ns.Name),
            StringComparison.Ordinal);
        Assert.Contains("TC and TCX need a program of type SchedCls",
            CliAssert.FailsWithOneLine("net", "attach", "tc", "va", "--direction", "ingress", "--prog", xdp, "--netns", ns.Name),
            StringComparison.Ordinal);
        Assert.Equal($"error: {pins.Path}/missing: no such pinned program",
            CliAssert.FailsWithOneLine("net", "attach", "xdp", "va", "--prog", Path.Combine(pins.Path, "missing"), "--netns", ns.Name));
        Assert.Equal("error: unknown XDP mode 'turbo'; use best, native, generic or offload",
            CliAssert.FailsWithOneLine("net", "attach", "xdp", "va", "--prog", xdp, "--mode", "turbo", "--netns", ns.Name));
        Assert.Equal("error: no link with id 4000000000",
            CliAssert.FailsWithOneLine("net", "detach", "link", "4000000000"));
        Assert.Empty(List(ns.Name));
    }

    internal static List<JsonElement> List(string netns) =>
        [.. CliAssert.Succeeds("net", "list", "--netns", netns, "--json").Json().EnumerateArray()];
}
