using Sluice.Bpf.Object;
using Sluice.Bpf.Tests.Programs;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Collections;

public class PinByNameTests
{
    private static readonly byte[] Frame = Packets.Ipv4(Packets.Udp);

    [Fact]
    public void Second_load_reuses_the_pinned_map_of_the_first()
    {
        Requires.Root();
        using var pins = new TestPinDirectory(create: true);
        var options = new CollectionOptions { PinPath = pins.Path };
        string pin = Path.Combine(pins.Path, "shared_runs");

        using var first = BpfCollection.Load(Fixture.Path("prog_pinned"), options);
        Assert.Equal([pin], first.PinnedPaths);
        first.Program("xdp_count_shared").TestRun(Frame, repeat: 3);

        using var second = BpfCollection.Load(Fixture.Path("prog_pinned"), options);
        Assert.Empty(second.PinnedPaths);
        Assert.Equal(first.Map("shared_runs").GetInfo().Id, second.Map("shared_runs").GetInfo().Id);
        second.Program("xdp_count_shared").TestRun(Frame, repeat: 2);

        Assert.Equal(5UL, first.HashMap<uint, ulong>("shared_runs").Lookup(0));
    }

    [Fact]
    public void Pin_outlives_the_collection_and_is_reused_after_it()
    {
        Requires.Root();
        using var pins = new TestPinDirectory(create: true);
        var options = new CollectionOptions { PinPath = pins.Path };
        using (var first = BpfCollection.Load(Fixture.Path("prog_pinned"), options))
            first.Program("xdp_count_shared").TestRun(Frame, repeat: 4);

        using var second = BpfCollection.Load(Fixture.Path("prog_pinned"), options);
        Assert.Equal(4UL, second.HashMap<uint, ulong>("shared_runs").Lookup(0));
    }

    [Fact]
    public void Incompatible_pinned_map_fails_clearly_and_leaves_the_pin()
    {
        Requires.Root();
        using var pins = new TestPinDirectory(create: true);
        var options = new CollectionOptions { PinPath = pins.Path };
        using var first = BpfCollection.Load(Fixture.Path("prog_pinned"), options);

        var spec = ObjectReader.Read(Fixture.Path("prog_pinned"));
        spec.Map("shared_runs").MaxEntries = 32;
        var error = Assert.Throws<InvalidOperationException>(() => BpfCollection.Load(spec, options));

        Assert.Contains("shared_runs", error.Message, StringComparison.Ordinal);
        Assert.Contains(pins.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("max entries", error.Message, StringComparison.Ordinal);
        Assert.IsType<BpfMapIncompatibleException>(error.InnerException);
        Assert.True(File.Exists(Path.Combine(pins.Path, "shared_runs")));
    }

    [Fact]
    public void Program_pins_and_reopens_by_path_and_id()
    {
        Requires.Root();
        using var pins = new TestPinDirectory(create: true);
        using var collection = BpfCollection.Load(Fixture.Path("prog_pinned"), new CollectionOptions { PinPath = pins.Path });
        var program = collection.Program("xdp_count_shared");
        string path = Path.Combine(pins.Path, "program");

        program.Pin(path);
        using var reopened = BpfProgram.OpenPinned(path);

        Assert.Equal(program.Id, reopened.Id);
        Assert.Equal(program.Tag, reopened.Tag);
        Assert.Equal("xdp_count_share", reopened.Name);
        Assert.Equal(BpfProgramType.Xdp, reopened.Type);
        Assert.Equal(XdpAction.Pass, reopened.TestRun(Frame).XdpAction);
        Assert.Throws<InvalidOperationException>(() => BpfProgram.OpenPinned(Path.Combine(pins.Path, "shared_runs")));
        Assert.Throws<FileNotFoundException>(() => BpfProgram.OpenPinned(Path.Combine(pins.Path, "absent")));
    }
}
