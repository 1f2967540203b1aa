using Sluice.Tests;

namespace Sluice.Bpf.Tests.Collections;

/// <summary>A fresh directory on bpffs for one test's pins, removed with everything in it on dispose.</summary>
internal sealed class TempPinDirectory : IDisposable
{
    internal TempPinDirectory()
    {
        if (!File.ReadAllText("/proc/mounts").Contains(" /sys/fs/bpf bpf ", StringComparison.Ordinal))
            Requires.Unavailable("bpffs is not mounted at /sys/fs/bpf (scripts/bootstrap.sh mounts it)");
        Path = $"/sys/fs/bpf/sluice-test-{Guid.NewGuid():N}";
        Directory.CreateDirectory(Path);
    }

    internal string Path { get; }

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
