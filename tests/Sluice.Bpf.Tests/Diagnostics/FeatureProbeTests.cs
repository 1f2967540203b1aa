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
    public void Program_types_the_lab_kernel_has_are_supported(BpfProgramType type)
    {
        Requires.Root();
        Assert.Equal(FeatureSupport.Supported, BpfFeatures.ProgramType(type));
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
    public void Map_types_the_lab_kernel_has_are_supported(BpfMapType type)
    {
        Requires.Root();
        Assert.Equal(FeatureSupport.Supported, BpfFeatures.MapType(type));
    }

    [Fact]
    public void Helpers_are_judged_per_program_type()
    {
        Requires.Root();
        Assert.Equal(FeatureSupport.Supported, BpfFeatures.Helper(BpfProgramType.Xdp, 1));        // map_lookup_elem
        Assert.Equal(FeatureSupport.Unsupported, BpfFeatures.Helper(BpfProgramType.Xdp, 18));     // skb_vlan_push: TC only
        Assert.Equal(FeatureSupport.Supported, BpfFeatures.Helper(BpfProgramType.SchedCls, 18));
        Assert.Equal(FeatureSupport.Unsupported, BpfFeatures.Helper(BpfProgramType.Xdp, 100_000));
    }

    [Fact]
    public void Helper_names_read_like_the_verifiers()
    {
        Assert.Equal("bpf_map_lookup_elem#1", BpfHelperNames.Of(1));
        Assert.Equal("bpf_skb_vlan_push#18", BpfHelperNames.Of(18));
        Assert.Equal("#100000", BpfHelperNames.Of(100_000));
    }
}
