namespace Sluice.Tests;

/// <summary>Paths of the BPF fixture objects that the build compiles from tests/Fixtures/*.bpf.c.</summary>
public static class Fixture
{
    /// <summary>The compiled object for fixture <paramref name="name"/> (e.g. "minimal" → bpf/minimal.bpf.o).</summary>
    public static string Path(string name)
    {
        var path = System.IO.Path.Combine(AppContext.BaseDirectory, "bpf", name + ".bpf.o");
        if (!File.Exists(path)) throw new FileNotFoundException($"fixture object not built: {path}");
        return path;
    }

    /// <summary>The bytes of fixture <paramref name="name"/>.</summary>
    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));
}
