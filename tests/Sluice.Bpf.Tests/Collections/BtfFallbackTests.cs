using Sluice.Bpf.Object;
using Sluice.Bpf.Tests.Programs;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Collections;

public class BtfFallbackTests
{
    private static ObjectSpec WithBtf(ObjectSpec spec, BtfSpec? btf) => new()
    {
        Name = spec.Name,
        Programs = spec.Programs,
        Maps = spec.Maps,
        License = spec.License,
        KernelVersion = spec.KernelVersion,
        Btf = btf,
    };

    [Fact]
    public void Object_without_btf_loads_and_says_what_it_lost()
    {
        Requires.Root();
        var spec = WithBtf(ObjectReader.Read(Fixture.Path("xdp_counter")), null);

        using var collection = BpfCollection.Load(spec);

        Assert.Null(collection.Btf);
        Assert.Contains(collection.Warnings, w => w.Contains("has no BTF", StringComparison.Ordinal));
        var frame = Packets.Ipv4(Packets.Udp, destinationPort: 9);
        Assert.Equal(XdpAction.Drop, collection.Program("xdp_counter").TestRun(frame).XdpAction);
    }

    [Fact]
    public void Btf_the_kernel_refuses_is_dropped_with_a_warning()
    {
        Requires.Root();
        var builder = new BtfBlobBuilder();
        builder.Type(BtfKind.Pointer, null, 0, 42); // dangling type id: the kernel refuses this BTF
        var spec = WithBtf(ObjectReader.Read(Fixture.Path("tc_mark")), new BtfSpec { RawData = builder.Build() });

        using var collection = BpfCollection.Load(spec);

        Assert.Null(collection.Btf);
        Assert.Contains(collection.Warnings, w => w.Contains("object BTF not loaded", StringComparison.Ordinal));
        var context = new SkBuffContext();
        Assert.Equal(TcAction.Ok, collection.Program("tc_mark").TestRun(Packets.Ipv4(Packets.Tcp), ref context).TcAction);
        Assert.Equal(0x5au, context.Mark);
    }
}
