using System.Runtime.CompilerServices;
using Sluice.Bpf.Object;
using Sluice.Bpf.Tests.Programs;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Collections;

public class GlobalsCollectionTests
{
    [InlineArray(4)]
    private struct FourWords
    {
        private uint _first;
    }

    private readonly record struct Stats(ulong Passed, ulong Dropped);

    /// <summary>A frame whose length modulo 256 is <paramref name="lowByte"/> (xdp_globals drops on length &amp; 0xff == drop_protocol).</summary>
    private static byte[] FrameWithLowByte(int lowByte) => new byte[256 + lowByte];

    [Fact]
    public void Every_program_and_global_data_map_loads_with_btf_and_no_warnings()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("globals"));

        Assert.Equal(["socket_globals", "tc_globals", "xdp_globals", "xdp_same_section_helper", "xdp_second"],
            collection.Programs.Keys.Order());
        Assert.Contains(".rodata", collection.Maps.Keys);
        Assert.Contains(".data", collection.Maps.Keys);
        Assert.Contains(".bss", collection.Maps.Keys);
        Assert.Contains(".data.stats", collection.Maps.Keys);
        Assert.NotNull(collection.Btf);
        Assert.Empty(collection.Warnings);
        Assert.Equal(BpfProgramType.SchedCls, collection.Program("tc_globals").Type);
    }

    [Fact]
    public void Data_and_bss_start_from_the_object_and_count_test_runs()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("globals"));
        var program = collection.Program("xdp_globals");
        Assert.Equal(1UL, collection.ReadGlobal<ulong>("seen_packets"));
        Assert.Equal(0x1111UL, collection.ReadGlobal<Stats>("stats").Passed);

        var frame = FrameWithLowByte(64);
        for (int i = 0; i < 3; i++) Assert.Equal(XdpAction.Pass, program.TestRun(frame).XdpAction);

        Assert.Equal(4UL, collection.ReadGlobal<ulong>("seen_packets"));
        Assert.Equal((uint)frame.Length, collection.ReadGlobal<uint>("last_length"));
        Assert.Equal(3UL, collection.ReadGlobal<ulong>("bss_counter"));
        var stats = collection.ReadGlobal<Stats>("stats");
        Assert.Equal(0x1111UL + 3, stats.Passed);
        Assert.Equal(0x2222UL, stats.Dropped);
    }

    [Fact]
    public void Rodata_knob_set_before_load_changes_the_verdict()
    {
        Requires.Root();
        var frame = FrameWithLowByte(64);
        using (var defaults = BpfCollection.Load(Fixture.Path("globals")))
            Assert.Equal(XdpAction.Pass, defaults.Program("xdp_globals").TestRun(frame).XdpAction);

        var spec = ObjectReader.Read(Fixture.Path("globals"));
        spec.SetGlobal("drop_protocol", 64u);
        using var changed = BpfCollection.Load(spec);
        Assert.Equal(XdpAction.Drop, changed.Program("xdp_globals").TestRun(frame).XdpAction);
        Assert.Equal(0x2222UL + 1, changed.ReadGlobal<Stats>("stats").Dropped);
    }

    [Fact]
    public void Packet_limit_knob_drops_once_the_bss_counter_exceeds_it()
    {
        Requires.Root();
        var spec = ObjectReader.Read(Fixture.Path("globals"));
        spec.SetGlobal("packet_limit", 2UL);
        using var collection = BpfCollection.Load(spec);
        var program = collection.Program("xdp_globals");
        var frame = FrameWithLowByte(64);

        var verdicts = Enumerable.Range(0, 4).Select(_ => program.TestRun(frame).XdpAction).ToArray();

        Assert.Equal([XdpAction.Pass, XdpAction.Pass, XdpAction.Drop, XdpAction.Drop], verdicts);
    }

    [Fact]
    public void Rodata_is_frozen_after_load_but_data_is_writable()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("globals"));

        var error = Assert.Throws<BpfException>(() => collection.WriteGlobal("drop_protocol", 1u));
        Assert.Equal("EPERM", error.ErrnoName);

        collection.WriteGlobal("seen_packets", 100UL);
        collection.Program("xdp_globals").TestRun(FrameWithLowByte(64));
        Assert.Equal(101UL, collection.ReadGlobal<ulong>("seen_packets"));
    }

    [Fact]
    public void Sub_programs_run_for_each_caller()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("globals"));
        var frame = Packets.Ipv4(Packets.Udp);

        // xdp_second calls the global xdp_same_section_helper, which is also a program of its own.
        for (int i = 0; i < 5; i++) Assert.Equal(XdpAction.Pass, collection.Program("xdp_second").TestRun(frame).XdpAction);
        Assert.Equal(XdpAction.Pass, collection.Program("xdp_same_section_helper").TestRun(frame).XdpAction);
        Assert.Equal(5u, collection.ReadGlobal<FourWords>("bss_flags")[2]);

        // tc_globals shares count_packet and should_drop (a static and a global sub-program) with xdp_globals.
        var context = new SkBuffContext();
        Assert.Equal(TcAction.Ok, collection.Program("tc_globals").TestRun(frame, ref context).TcAction);
        Assert.Equal(2UL, collection.ReadGlobal<ulong>("seen_packets"));

        // socket_globals returns skb->len and stores it; socket filters see the frame after the Ethernet header.
        Assert.Equal((uint)frame.Length - 14, collection.Program("socket_globals").TestRun(frame).ReturnValue);
        Assert.Equal((uint)frame.Length - 14, collection.ReadGlobal<FourWords>("bss_flags")[3]);
    }

    [Fact]
    public void Tc_program_drops_when_the_protocol_knob_matches_skb_protocol()
    {
        Requires.Root();
        var spec = ObjectReader.Read(Fixture.Path("globals"));
        spec.SetGlobal("drop_protocol", 0x0008u); // ETH_P_IP as skb->protocol holds it (network order)
        using var collection = BpfCollection.Load(spec);
        var context = new SkBuffContext();

        var result = collection.Program("tc_globals").TestRun(Packets.Ipv4(Packets.Tcp), ref context);

        Assert.Equal(TcAction.Shot, result.TcAction);
    }

    [Fact]
    public void Program_filter_skips_programs_like_autoload_false()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("globals"),
            new CollectionOptions { ProgramFilter = p => p.Type == BpfProgramType.Xdp });

        Assert.Equal(3, collection.Programs.Count);
        var error = Assert.Throws<KeyNotFoundException>(() => collection.Program("tc_globals"));
        Assert.Contains("skipped", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, collection.Maps.Count);
    }

    [Fact]
    public void Kernel_names_follow_libbpf_and_take_the_prefix()
    {
        Requires.Root();
        using (var plain = BpfCollection.Load(Fixture.Path("globals")))
        {
            using var reopened = BpfProgram.FromId(plain.Program("xdp_same_section_helper").Id);
            Assert.Equal("xdp_same_sectio", reopened.Name);
        }
        using var prefixed = BpfCollection.Load(Fixture.Path("globals"), new CollectionOptions { KernelNamePrefix = "t_" });
        using var again = BpfProgram.FromId(prefixed.Program("xdp_globals").Id);
        Assert.Equal("t_xdp_globals", again.Name);
        Assert.Equal(BpfProgramType.Xdp, again.Type);
    }
}
