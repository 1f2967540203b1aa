namespace Sluice.Bpf.Tests.Pinning;

/// <summary>A unique /sys/fs/bpf/sluice-test-&lt;guid&gt;/ directory, removed with everything pinned in it on dispose.</summary>
internal sealed class TestPinDirectory : IDisposable
{
    public TestPinDirectory()
    {
        BpfFileSystem.EnsureMounted();
        Path = $"{BpfFileSystem.DefaultMountPoint}/sluice-test-{Guid.NewGuid():N}";
    }

    public string Path { get; }

    public string File(string name) => $"{Path}/{name}";

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
