using System.Text.RegularExpressions;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Compatibility;

/// <summary>
/// Where Sluice and libbpf (bpftool prog loadall) both load a CO-RE or extern object, the kernel holds the same
/// instructions for each program: `bpftool prog dump xlated` of both, with map ids and addresses masked.
/// </summary>
public partial class XlatedComparisonTests
{
    [Theory]
    [InlineData("core_kernel", "core_answers")]
    [InlineData("core_kernel", "core_guarded")]
    [InlineData("btf_kinds", "core_read")]
    [InlineData("externs", "externs_answers")]
    public void Loaded_instructions_agree_with_libbpf(string fixture, string program)
    {
        Requires.Root();
        if (!KernelBtf.IsAvailable) Requires.Unavailable($"the kernel has no BTF at {KernelBtf.VmlinuxPath}");
        if (!File.Exists("/usr/sbin/bpftool") && !File.Exists("/usr/bin/bpftool")) Requires.Unavailable("bpftool is not installed");

        using var pins = new TestPinDirectory(create: true);
        using var collection = BpfCollection.Load(Fixture.Path(fixture), new CollectionOptions { PinPath = pins.Path });
        string ours = Normalize(ShellCommand.Run("bpftool", "prog", "dump", "xlated", "id", collection.Program(program).Id.ToString()));

        const string script = "mount -t bpf bpf /sys/fs/bpf || exit 97; bpftool prog loadall \"$0\" /sys/fs/bpf/p >&2 || exit 98; " +
            "bpftool prog dump xlated pinned \"/sys/fs/bpf/p/$1\"";
        string theirs = Normalize(ShellCommand.Run("unshare", "--mount", "--propagation", "private", "sh", "-c", script, Fixture.Path(fixture), program));

        Assert.False(string.IsNullOrWhiteSpace(ours));
        Assert.Equal(theirs, ours);
    }

    // Map ids and kernel addresses differ between two loads of the same object; everything else must not. Source
    // annotations (function headers, "; C line") are dropped: the instructions are what must agree.
    private static string Normalize(string xlated) => string.Join('\n', KernelAddress().Replace(MapId().Replace(xlated, "map[id:N]"), "0xADDR")
        .Split('\n').Where(line => line.Length > 0 && !line.StartsWith(';') && !line.EndsWith("):", StringComparison.Ordinal)));

    [GeneratedRegex(@"map\[id:\d+\]")]
    private static partial Regex MapId();

    [GeneratedRegex(@"0xffff[0-9a-f]{12}")]
    private static partial Regex KernelAddress();
}
