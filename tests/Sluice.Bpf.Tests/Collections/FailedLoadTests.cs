using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Collections;

/// <summary>Counts this process's fds, so it must not run beside tests that open or close any.</summary>
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
        int fdsBefore = FdCount.Current;

        var error = Assert.Throws<BpfVerifierException>(() => BpfCollection.Load(Fixture.Path("prog_pinned_reject"), options));

        Assert.Equal("xdp_rejected", error.ProgramName);
        Assert.Contains("invalid mem access 'map_value_or_null'", error.Message, StringComparison.Ordinal);
        Assert.Equal(fdsBefore, FdCount.Current);
        Assert.Empty(Directory.GetFileSystemEntries(pins.Path));
        Assert.DoesNotContain(BpfProgramInfo.All(), p => p.Name == "xdp_fine");
    }
}
