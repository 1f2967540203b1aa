namespace Sluice.Lab;

/// <summary>
/// A unique /sys/fs/bpf/sluice-test-&lt;guid&gt;/ directory for one test's pins, removed with everything pinned in it
/// on dispose (deleting a pin drops the kernel reference it held). For tests and benchmarks that pin maps, programs
/// and links without touching the applications' real state under /sys/fs/bpf/sluice/.
/// </summary>
public sealed class TestPinDirectory : IDisposable
{
    /// <summary>Picks the path; creates the directory when <paramref name="create"/> (pinning creates it otherwise).</summary>
    /// <exception cref="InvalidOperationException">bpffs is not mounted at /sys/fs/bpf.</exception>
    public TestPinDirectory(bool create = false)
    {
        if (!BpffsMounted)
            throw new InvalidOperationException("bpffs is not mounted at /sys/fs/bpf (scripts/bootstrap.sh mounts it)");
        Path = $"/sys/fs/bpf/sluice-test-{Guid.NewGuid():N}";
        if (create) Directory.CreateDirectory(Path);
    }

    /// <summary>True when a bpffs is mounted at /sys/fs/bpf.</summary>
    public static bool BpffsMounted =>
        System.IO.File.ReadAllText("/proc/mounts").Contains(" /sys/fs/bpf bpf ", StringComparison.Ordinal);

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>A path inside the directory.</summary>
    public string File(string name) => $"{Path}/{name}";

    /// <inheritdoc />
    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
