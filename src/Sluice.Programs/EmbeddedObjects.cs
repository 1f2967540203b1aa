using Sluice.Bpf.Object;

namespace Sluice.Programs;

/// <summary>The BPF objects compiled from bpf/*.bpf.c, embedded in this assembly at build time.</summary>
public static class EmbeddedObjects
{
    /// <summary>Reads embedded object <paramref name="fileName"/> (e.g. "packet_counter.bpf.o") into a fresh spec.</summary>
    /// <exception cref="FileNotFoundException">No such object was built into the assembly.</exception>
    public static ObjectSpec Read(string fileName)
    {
        using var stream = typeof(EmbeddedObjects).Assembly.GetManifestResourceStream(fileName)
            ?? throw new FileNotFoundException($"BPF object '{fileName}' is not embedded in {typeof(EmbeddedObjects).Assembly.GetName().Name}");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return ObjectReader.Read(bytes, Path.GetFileNameWithoutExtension(fileName));
    }
}
