using System.Text.Json;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

/// <summary>`sluice feature`: the probes as the CLI prints them, against what KERNEL-LAB.md lists as working.</summary>
public class FeatureCommandTests
{
    [Fact]
    public void Feature_json_reports_the_lab_kernels_program_types_map_types_attach_kinds_and_helpers()
    {
        Requires.Root();
        var report = CliAssert.Succeeds("feature", "--json").Json();

        var programs = report.GetProperty("program_types");
        foreach (var type in new[] { "xdp", "sched_cls", "sock_ops", "sk_msg", "sk_skb", "cgroup_skb", "socket_filter" })
            Assert.Equal("supported", programs.GetProperty(type).GetString());
        Assert.Equal("unknown", programs.GetProperty("tracing").GetString());
        // A negative the kernel's configuration decides: no CONFIG_BPF_LIRC_MODE2 means "unsupported".
        Assert.Equal(KernelConfig.IsBuiltIn("CONFIG_BPF_LIRC_MODE2") ? "supported" : "unsupported",
            programs.GetProperty("lirc_mode2").GetString());
        Assert.Contains(programs.EnumerateObject(), p => p.Value.GetString() != "supported");

        var maps = report.GetProperty("map_types");
        foreach (var type in new[] { "hash", "array", "percpu_array", "lru_hash", "lpm_trie", "devmap", "devmap_hash", "cpumap", "sockmap",
                     "sockhash", "ringbuf", "prog_array", "xskmap", "queue", "bloom_filter", "perf_event_array" })
            Assert.Equal("supported", maps.GetProperty(type).GetString());

        // The lab kernel has no kprobes (CONFIG_KPROBES off), so no kprobe-multi links; every other kind exists.
        foreach (var kind in report.GetProperty("attach_kinds").EnumerateObject())
            Assert.Equal(kind.Name == "kprobe_multi_link" ? "unsupported" : "supported", kind.Value.GetString());
        Assert.Equal(12, report.GetProperty("attach_kinds").EnumerateObject().Count());

        var helpers = report.GetProperty("helpers");
        var xdp = Names(helpers.GetProperty("xdp"));
        Assert.Contains("bpf_map_lookup_elem", xdp);
        Assert.Contains("bpf_xdp_adjust_meta", xdp);
        Assert.DoesNotContain("bpf_skb_vlan_push", xdp);
        Assert.DoesNotContain("bpf_xdp_adjust_meta", Names(helpers.GetProperty("socket_filter")));
        Assert.Contains("bpf_msg_redirect_hash", Names(helpers.GetProperty("sk_msg")));
        Assert.Contains("bpf_skb_vlan_push", Names(helpers.GetProperty("sched_cls")));
        // Helpers are per program type: no type gets every helper (a probe that always said yes would list them all).
        var lengths = helpers.EnumerateObject().Select(h => h.Value.GetArrayLength()).ToList();
        Assert.True(lengths.Distinct().Count() > 1, "every program type got the same helper list");
    }

    [Fact]
    public void Feature_table_says_no_for_what_the_kernel_lacks()
    {
        Requires.Root();
        string output = CliAssert.Succeeds("feature").Stdout;
        string expected = KernelConfig.IsBuiltIn("CONFIG_BPF_LIRC_MODE2") ? "yes" : "no";
        Assert.Contains(output.Split('\n'), l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["lirc_mode2", var answer] && answer == expected);
    }

    [Fact]
    public void Feature_table_groups_by_section()
    {
        Requires.Root();
        string output = CliAssert.Succeeds("feature").Stdout;
        string[] lines = output.Split('\n');
        Assert.Contains("program types:", lines);
        Assert.Contains("map types:", lines);
        Assert.Contains("attach kinds:", lines);
        Assert.Contains(lines, l => l.StartsWith("helpers for xdp (", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["tcx_link", "yes"]);
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["lpm_trie", "yes"]);
    }

    private static List<string> Names(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
