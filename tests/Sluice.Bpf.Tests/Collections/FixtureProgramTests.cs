using Sluice.Bpf.Object;
using Sluice.Bpf.Tests.Programs;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Collections;

public class FixtureProgramTests
{
    [Fact]
    public void Xdp_counter_gives_the_expected_verdicts_and_counts()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("xdp_counter"));
        var program = collection.Program("xdp_counter");
        byte[] sourceA = [198, 18, 0, 10];
        byte[] sourceB = [198, 18, 0, 11];

        Assert.Equal(XdpAction.Drop, program.TestRun(Packets.Ipv4(Packets.Udp, destinationPort: 9, source: sourceA)).XdpAction);
        Assert.Equal(XdpAction.Pass, program.TestRun(Packets.Ipv4(Packets.Udp, destinationPort: 53, source: sourceA)).XdpAction);
        Assert.Equal(XdpAction.Pass, program.TestRun(Packets.Ipv4(Packets.Tcp, destinationPort: 9, source: sourceB)).XdpAction);
        Assert.Equal(XdpAction.Pass, program.TestRun(Packets.Ipv4(Packets.Icmp, source: sourceB)).XdpAction);
        Assert.Equal(XdpAction.Pass, program.TestRun(Packets.Ethernet(0x0806)).XdpAction); // ARP: not counted
        Assert.Equal(XdpAction.Pass, program.TestRun(Packets.Ipv4(Packets.Udp, destinationPort: 9)[..20]).XdpAction); // truncated IPv4

        var protocols = collection.PerCpuArray<ulong>("protocol_counts");
        Assert.Equal(2UL, protocols.Sum(Packets.Udp));
        Assert.Equal(1UL, protocols.Sum(Packets.Tcp));
        Assert.Equal(1UL, protocols.Sum(Packets.Icmp));
        var sources = collection.HashMap<uint, ulong>("source_counts");
        Assert.Equal(2UL, sources.Lookup(BitConverter.ToUInt32(sourceA)));
        Assert.Equal(2UL, sources.Lookup(BitConverter.ToUInt32(sourceB)));
        Assert.Equal(2, sources.Keys.Count());
    }

    [Fact]
    public void Tc_mark_round_trips_mark_and_priority_from_its_knobs()
    {
        Requires.Root();
        var frame = Packets.Ipv4(Packets.Tcp);
        using (var defaults = BpfCollection.Load(Fixture.Path("tc_mark")))
        {
            var context = new SkBuffContext { Mark = 1, Priority = 1 };
            Assert.Equal(TcAction.Ok, defaults.Program("tc_mark").TestRun(frame, ref context).TcAction);
            Assert.Equal(0x5au, context.Mark);
            Assert.Equal(3u, context.Priority);
        }

        var spec = ObjectReader.Read(Fixture.Path("tc_mark"));
        spec.SetGlobal("mark_value", 0xabcdu);
        spec.SetGlobal("priority_value", 7u);
        using (var knobs = BpfCollection.Load(spec))
        {
            var context = new SkBuffContext();
            Assert.Equal(TcAction.Ok, knobs.Program("tc_mark").TestRun(frame, ref context).TcAction);
            Assert.Equal(0xabcdu, context.Mark);
            Assert.Equal(7u, context.Priority);
        }

        spec.SetGlobal("drop_all", (byte)1);
        using var dropping = BpfCollection.Load(spec);
        var untouched = new SkBuffContext { Mark = 9 };
        Assert.Equal(TcAction.Shot, dropping.Program("tc_mark").TestRun(frame, ref untouched).TcAction);
        Assert.Equal(9u, untouched.Mark);
    }

    [Fact]
    public void Verifier_rejection_names_the_program_and_the_reason()
    {
        Requires.Root();
        var error = Assert.Throws<BpfVerifierException>(() => BpfCollection.Load(Fixture.Path("verifier_reject")));

        Assert.Equal("xdp_unchecked_read", error.ProgramName);
        Assert.StartsWith("program 'xdp_unchecked_read' rejected by the verifier:", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid access to packet", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid access to packet", error.VerifierLog, StringComparison.Ordinal);
        // With BTF line info the log carries the C source, so the message points at the offending line.
        Assert.Contains("*(volatile __u8 *)data", error.VerifierLog, StringComparison.Ordinal);
    }

    [Fact]
    public void Gpl_only_helper_from_a_non_gpl_object_is_explained()
    {
        Requires.Root();
        var error = Assert.Throws<BpfVerifierException>(() => BpfCollection.Load(Fixture.Path("prog_non_gpl")));

        Assert.Equal("xdp_printk", error.ProgramName);
        Assert.Contains("cannot call GPL-restricted function from non-GPL compatible program", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prog_array_slots_from_the_object_are_filled_so_tail_calls_land()
    {
        Requires.Root();
        var frame = Packets.Ipv4(Packets.Udp);
        using (var collection = BpfCollection.Load(Fixture.Path("prog_tail_call")))
            Assert.Equal(XdpAction.Drop, collection.Program("xdp_tail_entry").TestRun(frame).XdpAction);

        // Without the target loaded the slot stays empty, the tail call falls through, and the loss is reported.
        using var partial = BpfCollection.Load(Fixture.Path("prog_tail_call"),
            new CollectionOptions { ProgramFilter = p => p.Name == "xdp_tail_entry" });
        Assert.Equal(XdpAction.Pass, partial.Program("xdp_tail_entry").TestRun(frame).XdpAction);
        Assert.Contains(partial.Warnings, w => w.Contains("xdp_tail_target", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_map_type_of_the_maps_fixture_loads_with_slots_filled()
    {
        Requires.Root();
        using var pins = new TestPinDirectory(create: true);
        using var collection = BpfCollection.Load(Fixture.Path("maps"), new CollectionOptions { PinPath = pins.Path });

        Assert.Equal(["tail_target", "use_maps", "use_sock_maps"], collection.Programs.Keys.Order());
        Assert.Equal(PossibleCpus.Count, (int)collection.Map("perf_events").MaxEntries);
        Assert.Equal([Path.Combine(pins.Path, "flows")], collection.PinnedPaths);
        Assert.True(File.Exists(Path.Combine(pins.Path, "flows")));

        // User space reads a prog-array or map-in-map slot back as the id of what is in it.
        using var jumpTable = new BpfProgArray(collection.Map("jump_table"));
        Assert.True(jumpTable.TryGetProgramId(1, out uint programId));
        Assert.Equal(collection.Program("tail_target").Id, programId);
        Assert.False(jumpTable.TryGetProgramId(0, out _));
        using var outer = new BpfMapOfMaps<uint>(collection.Map("outer_array"));
        Assert.True(outer.TryGetInnerMapId(0, out uint first));
        Assert.True(outer.TryGetInnerMapId(2, out uint third));
        Assert.False(outer.TryGetInnerMapId(1, out _));
        Assert.Equal(collection.Map("inner_a").GetInfo().Id, first);
        Assert.Equal(collection.Map("inner_b").GetInfo().Id, third);
    }

    [Fact]
    public void Ringbuf_fixture_loads()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("ringbuf"));
        Assert.Equal(BpfMapType.RingBuf, collection.Map("events").Type);
        Assert.Equal(XdpAction.Pass, collection.Program("xdp_ringbuf").TestRun(Packets.Ipv4(Packets.Udp)).XdpAction);
        Assert.Equal(1UL, collection.ReadGlobal<ulong>("sequence_counter"));
    }

    [Fact]
    public void Every_section_of_the_sections_fixture_loads_with_its_type()
    {
        Requires.Root();
        var spec = ObjectReader.Read(Fixture.Path("sections"));
        using var collection = BpfCollection.Load(spec);

        Assert.Equal(spec.Programs.Count, collection.Programs.Count);
        foreach (var program in spec.Programs)
            Assert.Equal(program.Type, collection.Program(program.Name).Type);
    }
}
