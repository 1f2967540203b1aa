using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Collections;

/// <summary>Compares the BPF objects this process holds before and after, so it must not run beside tests that load any.</summary>
[CollectionDefinition(nameof(FailedLoadTests), DisableParallelization = true)]
public sealed class FailedLoadCollection;

[Collection(nameof(FailedLoadTests))]
public class FailedLoadTests
{
    [Fact]
    public void Failed_program_releases_everything_and_unpins_what_the_load_pinned()
    {
        Requires.Root();
        using var pins = new TestPinDirectory(create: true);
        var options = new CollectionOptions { PinPath = pins.Path };
        // Warm up: the first load also probes BTF features and JITs the loader.
        Assert.Throws<BpfVerifierException>(() => BpfCollection.Load(Fixture.Path("prog_pinned_reject"), options));
        var heldBefore = BpfDescriptors.Held();

        var error = Assert.Throws<BpfVerifierException>(() => BpfCollection.Load(Fixture.Path("prog_pinned_reject"), options));

        Assert.Equal("xdp_rejected", error.ProgramName);
        Assert.Contains("invalid mem access 'map_value_or_null'", error.Message, StringComparison.Ordinal);
        // The load opened BTF, maps and the program that loaded before the rejected one: none may still be held.
        Assert.Empty(BpfDescriptors.Held().Except(heldBefore));
        Assert.Empty(Directory.GetFileSystemEntries(pins.Path));
        // Nothing else keeps xdp_fine alive either. Other processes on the machine may be running this very test, so
        // a moment with no xdp_fine at all is awaited (a leak of ours would hold it for good).
        Assert.True(Wait.Until(() => !BpfProgramInfo.All().Any(p => p.Name == "xdp_fine"), TimeSpan.FromSeconds(30)),
            "a program named xdp_fine stayed loaded for 30 s after the failed load");
    }
}
