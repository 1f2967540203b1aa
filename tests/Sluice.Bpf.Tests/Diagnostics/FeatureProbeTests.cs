using Sluice.Bpf.Features;
using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Diagnostics;

/// <summary>Feature probes against the lab kernel (Linux 6.18), whose support is documented in KERNEL-LAB.md.</summary>
public class FeatureProbeTests
{
    [Theory]
    [InlineData(BpfProgramType.Xdp)]
    [InlineData(BpfProgramType.SchedCls)]
    [InlineData(BpfProgramType.SocketFilter)]
    [InlineData(BpfProgramType.CgroupSockAddr)]
    [InlineData(BpfProgramType.SkLookup)]
    [InlineData(BpfProgramType.SockOps)]
    [InlineData(BpfProgramType.SkMsg)]
    [InlineData(BpfProgramType.SkSkb)]
    [InlineData(BpfProgramType.CgroupSkb)]
    [InlineData(BpfProgramType.Syscall)]
    public void Program_types_the_lab_kernel_has_are_supported(BpfProgramType type)
    {
        Requires.Root();
        Assert.Equal(FeatureSupport.Supported, BpfFeatures.ProgramType(type));
    }

    /// <summary>
    /// Program types that exist only when an option is built in (include/linux/bpf_types.h): the kernel's
    /// configuration decides the expected answer, so a kernel without the option gives a negative case (this one
    /// has no CONFIG_BPF_LIRC_MODE2, and no CONFIG_KPROBES, which the kprobe program type does not need).
    /// </summary>
    [Theory]
    [InlineData(BpfProgramType.LircMode2, "CONFIG_BPF_LIRC_MODE2")]
    [InlineData(BpfProgramType.Kprobe, "CONFIG_BPF_EVENTS")]
    [InlineData(BpfProgramType.Tracepoint, "CONFIG_BPF_EVENTS")]
    [InlineData(BpfProgramType.PerfEvent, "CONFIG_BPF_EVENTS")]
    [InlineData(BpfProgramType.CgroupSkb, "CONFIG_CGROUP_BPF")]
    [InlineData(BpfProgramType.CgroupDevice, "CONFIG_CGROUP_BPF")]
    [InlineData(BpfProgramType.Netfilter, "CONFIG_NETFILTER_BPF_LINK")]
    public void Program_types_behind_a_kernel_option_follow_the_kernel_configuration(BpfProgramType type, string option)
    {
        Requires.Root();
        var expected = global::Sluice.Tests.KernelConfig.IsBuiltIn(option) ? FeatureSupport.Supported : FeatureSupport.Unsupported;
        Assert.Equal(expected, BpfFeatures.ProgramType(type));
    }

    [Fact]
    public void The_lab_kernel_lacks_lirc_mode2_so_its_probe_is_a_real_negative()
    {
        Requires.Root();
        Assert.False(global::Sluice.Tests.KernelConfig.IsBuiltIn("CONFIG_BPF_LIRC_MODE2"), "this kernel has lirc_mode2: pick another missing type");
        Assert.Equal(FeatureSupport.Unsupported, BpfFeatures.ProgramType(BpfProgramType.LircMode2));
    }

    [Fact]
    public void An_unknown_program_type_is_unsupported_and_attach_target_types_are_unknown()
    {
        Requires.Root();
        Assert.Equal(FeatureSupport.Unsupported, BpfFeatures.ProgramType((BpfProgramType)999));
        Assert.Equal(FeatureSupport.Unknown, BpfFeatures.ProgramType(BpfProgramType.Tracing));
    }

    [Theory]
    [InlineData(BpfMapType.Hash)]
    [InlineData(BpfMapType.LpmTrie)]
    [InlineData(BpfMapType.RingBuf)]
    [InlineData(BpfMapType.HashOfMaps)]
    [InlineData(BpfMapType.Queue)]
    [InlineData(BpfMapType.BloomFilter)]
    [InlineData(BpfMapType.SockHash)]
    [InlineData(BpfMapType.Array)]
    [InlineData(BpfMapType.DevMap)]
    [InlineData(BpfMapType.CpuMap)]
    [InlineData(BpfMapType.XskMap)]
    [InlineData(BpfMapType.SockMap)]
    [InlineData(BpfMapType.PerfEventArray)]
    [InlineData(BpfMapType.ProgArray)]
    [InlineData(BpfMapType.LruHash)]
    public void Map_types_the_lab_kernel_has_are_supported(BpfMapType type)
    {
        Requires.Root();
        Assert.Equal(FeatureSupport.Supported, BpfFeatures.MapType(type));
    }

    [Fact]
    public void An_unknown_map_type_is_unsupported()
    {
        Requires.Root();
        Assert.Equal(FeatureSupport.Unsupported, BpfFeatures.MapType((BpfMapType)999));
        Assert.Equal(FeatureSupport.Unsupported, BpfFeatures.MapType((BpfMapType)uint.MaxValue));
    }

    [Fact]
    public void Helpers_are_judged_per_program_type()
    {
        Requires.Root();
        Assert.Equal(FeatureSupport.Supported, BpfFeatures.Helper(BpfProgramType.Xdp, 1));        // map_lookup_elem
        Assert.Equal(FeatureSupport.Unsupported, BpfFeatures.Helper(BpfProgramType.Xdp, 18));     // skb_vlan_push: TC only
        Assert.Equal(FeatureSupport.Supported, BpfFeatures.Helper(BpfProgramType.SchedCls, 18));
        Assert.Equal(FeatureSupport.Unsupported, BpfFeatures.Helper(BpfProgramType.Xdp, 100_000));
        Assert.Equal(FeatureSupport.Unsupported, BpfFeatures.Helper(BpfProgramType.Xdp, 10_000));
        Assert.Equal(FeatureSupport.Supported, BpfFeatures.Helper(BpfProgramType.Xdp, 54));           // xdp_adjust_meta
        Assert.Equal(FeatureSupport.Unsupported, BpfFeatures.Helper(BpfProgramType.SocketFilter, 54)); // not for socket filters
        Assert.Equal(FeatureSupport.Supported, BpfFeatures.Helper(BpfProgramType.SkMsg, 71));         // msg_redirect_hash
    }

    [Fact]
    public void Supported_helpers_of_a_networking_type_include_its_own_and_exclude_others()
    {
        Requires.Root();
        var xdp = BpfFeatures.SupportedHelpers(BpfProgramType.Xdp);
        Assert.Contains(1, xdp);    // map_lookup_elem
        Assert.Contains(54, xdp);   // xdp_adjust_meta
        Assert.DoesNotContain(18, xdp); // skb_vlan_push
        Assert.Contains(BpfProgramType.Xdp, BpfFeatures.NetworkingProgramTypes);
    }

    [Theory]
    [InlineData(AttachmentKind.XdpLink)]
    [InlineData(AttachmentKind.XdpNetlink)]
    [InlineData(AttachmentKind.TcxLink)]
    [InlineData(AttachmentKind.TcFilter)]
    [InlineData(AttachmentKind.CgroupLink)]
    [InlineData(AttachmentKind.CgroupProgram)]
    [InlineData(AttachmentKind.SockmapLink)]
    [InlineData(AttachmentKind.SockmapProgram)]
    public void Attach_kinds_the_lab_kernel_has_are_supported(AttachmentKind kind)
    {
        Requires.Root();
        Assert.Equal(FeatureSupport.Supported, BpfFeatures.Attachment(kind));
    }

    [Fact]
    public void An_unknown_attach_kind_is_not_supported_and_absent_kernel_structs_are_absent()
    {
        Requires.Root();
        Assert.NotEqual(FeatureSupport.Supported, BpfFeatures.Attachment((AttachmentKind)999));
        // The attach kinds are judged by kernel structs in the kernel's BTF: a struct it lacks must read as absent.
        Assert.True(KernelBtfNames.Available);
        Assert.False(KernelBtfNames.Contains("sluice_no_such_kernel_struct"));
        Assert.False(KernelBtfNames.Contains("bpf_xdp_lin")); // a prefix of a real name is not the name
        Assert.True(KernelBtfNames.Contains("bpf_xdp_link"));
    }

    [Fact]
    public void Helper_names_read_like_the_verifiers()
    {
        Assert.Equal("bpf_map_lookup_elem#1", BpfHelperNames.Of(1));
        Assert.Equal("bpf_skb_vlan_push#18", BpfHelperNames.Of(18));
        Assert.Equal("#100000", BpfHelperNames.Of(100_000));
    }
}
