using Sluice.Fixtures;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Generator.Tests;

/// <summary>The generated class loads its embedded object, and C# and the BPF program agree on every byte they share.</summary>
public class GeneratedObjectKernelTests
{
    [Fact]
    public void Constants_maps_globals_and_bitfields_round_trip_through_the_kernel()
    {
        Requires.Root();
        using var gen = GenLayoutObject.Load(constants =>
        {
            Assert.Equal(17u, constants.DropProtocol);
            constants.DropProtocol = 6;
            constants.ConfigGlobal = new GenLayoutObject.Config { SampleRate = 13 };
        });
        var key = new GenLayoutObject.FlowKey { Protocol = 6 };
        gen.Flows.Update(key, new GenLayoutObject.FlowStats { Packets = 41, Delta = -3 });

        var run = gen.GenLayout.TestRun(new byte[64]);

        Assert.Equal(XdpAction.Pass, run.XdpAction);
        var stats = gen.Flows.Lookup(key);
        Assert.Equal(42ul, stats.Packets);
        Assert.Equal(13u & 7, stats.Priority); // written by the program through its bitfield
        Assert.Equal(-3, stats.Delta);         // neighbouring bits left alone
        Assert.Equal(1ul, gen.PacketsSeen);
        Assert.Equal(6, gen.LastFlow.Protocol);
        Assert.Equal(6u, gen.DropProtocol);
        Assert.Equal(13u, gen.ConfigGlobal.SampleRate);

        var events = new List<GenLayoutObject.Event>();
        Assert.Equal(1, gen.Events.Consume(record => events.Add(System.Runtime.InteropServices.MemoryMarshal.Read<GenLayoutObject.Event>(record))));
        Assert.Equal(6, Assert.Single(events).Flow.Protocol);
        Assert.Equal((int)XdpAction.Pass, events[0].Verdict);

        gen.PacketsSeen = 100;
        gen.GenLayout.TestRun(new byte[64]);
        Assert.Equal(101ul, gen.PacketsSeen);
    }

    [Fact]
    public void Typed_map_views_match_the_kernel_maps()
    {
        Requires.Root();
        using var counter = XdpCounterObject.Load();

        counter.SourceCounts.Update(0x0100a8c0, 5);

        Assert.Equal(5ul, counter.SourceCounts.Lookup(0x0100a8c0));
        Assert.Equal(256u, counter.ProtocolCounts.MaxEntries);
    }
}
