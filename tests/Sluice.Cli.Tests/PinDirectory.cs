namespace Sluice.Cli.Tests;

/// <summary>A unique directory under /sys/fs/bpf for one test's pins, removed (with its pins) on dispose.</summary>
internal sealed class PinDirectory : IDisposable
{
    internal string Path { get; } = $"/sys/fs/bpf/sluice-cli-test-{Guid.NewGuid():N}";

    public void Dispose()
    {
        // Pins are files on bpffs; deleting them drops the kernel references they held.
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
