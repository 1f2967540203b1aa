using System.Text.Json;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

/// <summary>`net attach|detach tc` (clsact + cls_bpf) and `net attach tcx` (pinned TCX links) in a throwaway namespace.</summary>
public class NetAttachTcCommandTests
{
    [Fact]
    public void Tc_filter_attach_is_listed_occupied_slot_names_the_occupant_and_detach_removes_it()
    {
        Requires.Root();
        using var pins = new TestPinDirectory();
        using var ns = new TestNamespace();
        CliAssert.Succeeds("object", "load", Fixture.Path("attach_tc"), "--pin", pins.Path);
        string a = Path.Combine(pins.Path, "tc_drop_a"), b = Path.Combine(pins.Path, "tc_drop_b");

        CliAssert.Succeeds("net", "attach", "tc", "va", "--direction", "ingress", "--prog", a, "--priority", "7", "--handle", "3", "--netns", ns.Name);
        var row = Assert.Single(NetAttachXdpCommandTests.List(ns.Name));
        Assert.Equal("tcfilter", row.GetProperty("hook").GetString());
        Assert.Equal("ingress pref 7 handle 0x3", row.GetProperty("detail").GetString());
        Assert.Equal("tc_drop_a", row.GetProperty("prog_name").GetString());

        string occupied = CliAssert.FailsWithOneLine("net", "attach", "tc", "va", "--direction", "ingress", "--prog", b,
            "--priority", "7", "--handle", "3", "--netns", ns.Name);
        Assert.Contains("is taken by program", occupied, StringComparison.Ordinal);
        Assert.Contains("'tc_drop_a'", occupied, StringComparison.Ordinal);

        CliAssert.Succeeds("net", "detach", "tc", "va", "--direction", "ingress", "--priority", "7", "--handle", "3", "--netns", ns.Name);
        Assert.Empty(NetAttachXdpCommandTests.List(ns.Name));
        Assert.Equal($"error: no filter at priority 7 handle 0x3 on TC ingress of 'va' (netns {ns.Name})",
            CliAssert.FailsWithOneLine("net", "detach", "tc", "va", "--direction", "ingress", "--priority", "7", "--handle", "3", "--netns", ns.Name));
        Assert.Equal("error: unknown direction 'sideways'; use ingress or egress",
            CliAssert.FailsWithOneLine("net", "attach", "tc", "va", "--direction", "sideways", "--prog", a, "--netns", ns.Name));
    }

    [Fact]
    public void Tcx_needs_a_pin_keeps_the_requested_order_and_detach_link_removes_it()
    {
        Requires.Root();
        using var pins = new TestPinDirectory();
        using var ns = new TestNamespace();
        CliAssert.Succeeds("object", "load", Fixture.Path("attach_tc"), "--pin", pins.Path);
        string a = Path.Combine(pins.Path, "tc_drop_a"), b = Path.Combine(pins.Path, "tc_drop_b");
        string linkA = Path.Combine(pins.Path, "link_a"), linkB = Path.Combine(pins.Path, "link_b");

        Assert.StartsWith("error: net attach tcx needs --pin-link PATH",
            CliAssert.FailsWithOneLine("net", "attach", "tcx", "va", "--direction", "egress", "--prog", a, "--netns", ns.Name), StringComparison.Ordinal);

        CliAssert.Succeeds("net", "attach", "tcx", "va", "--direction", "egress", "--prog", a, "--pin-link", linkA, "--netns", ns.Name);
        var second = CliAssert.Succeeds("net", "attach", "tcx", "va", "--direction", "egress", "--prog", b, "--pin-link", linkB, "--first",
            "--netns", ns.Name, "--json").Json();
        Assert.Equal("egress before all", second.GetProperty("detail").GetString());

        var rows = NetAttachXdpCommandTests.List(ns.Name);
        Assert.Equal(["tc_drop_b", "tc_drop_a"], rows.Select(r => r.GetProperty("prog_name").GetString()));
        Assert.All(rows, r => Assert.Equal("tcx", r.GetProperty("hook").GetString()));
        Assert.Equal("egress position 0", rows[0].GetProperty("detail").GetString());

        Assert.Contains("already attached there",
            CliAssert.FailsWithOneLine("net", "attach", "tcx", "va", "--direction", "egress", "--prog", a,
                "--pin-link", Path.Combine(pins.Path, "link_c"), "--netns", ns.Name), StringComparison.Ordinal);

        uint linkBId = second.GetProperty("link_id").GetUInt32();
        CliAssert.Succeeds("net", "detach", "link", linkA);
        CliAssert.Succeeds("net", "detach", "link", linkBId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(NetAttachXdpCommandTests.List(ns.Name));
        Assert.False(File.Exists(linkA));
    }
}
