using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// The kernel objects of one loaded BPF object: its programs and maps by name, and its BTF. Disposing closes the
/// programs, then the maps, then the BTF; pinned maps and attached programs stay in the kernel.
/// </summary>
public sealed partial class BpfCollection : IDisposable
{
    private readonly ObjectSpec _spec;
    private readonly Dictionary<string, BpfProgram> _programs;
    private readonly Dictionary<string, BpfMap> _maps;
    private bool _disposed;

    internal BpfCollection(
        ObjectSpec spec, Dictionary<string, BpfProgram> programs, Dictionary<string, BpfMap> maps, BpfBtf? btf,
        List<string> warnings, List<string> pinnedPaths)
    {
        _spec = spec;
        _programs = programs;
        _maps = maps;
        Btf = btf;
        Warnings = warnings;
        PinnedPaths = pinnedPaths;
    }

    /// <summary>
    /// Loads every map and program of <paramref name="spec"/>: BTF (sanitised for this kernel; without it when the
    /// kernel refuses), maps (global data written and .rodata frozen; LIBBPF_PIN_BY_NAME maps reused from or pinned
    /// to <see cref="CollectionOptions.PinPath"/>), programs with their map references, then prog-array and
    /// map-in-map slots. On any failure everything created so far is released and new pins are removed.
    /// </summary>
    /// <exception cref="BpfVerifierException">A program was rejected; the exception names it.</exception>
    /// <exception cref="BpfException">The kernel refused a map, a program or a pin.</exception>
    /// <exception cref="InvalidOperationException">A pinned map differs from the object's definition.</exception>
    public static BpfCollection Load(ObjectSpec spec, CollectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new CollectionLoader(spec, options ?? new CollectionOptions()).Load();
    }

    /// <summary>Reads a BPF ELF object (see <see cref="ObjectReader"/>) and loads it like <see cref="Load(ObjectSpec, CollectionOptions?)"/>.</summary>
    /// <exception cref="BpfObjectException">The file is not a usable BPF object.</exception>
    public static BpfCollection Load(string path, CollectionOptions? options = null) => Load(ObjectReader.Read(path), options);

    /// <summary>Loaded programs by name (skipped programs are absent).</summary>
    public IReadOnlyDictionary<string, BpfProgram> Programs => _programs;

    /// <summary>Maps by name (global data under its section name: ".rodata", ".data", ".bss", ...).</summary>
    public IReadOnlyDictionary<string, BpfMap> Maps => _maps;

    /// <summary>The object's BTF in the kernel; null when the object had none or the kernel refused it (see <see cref="Warnings"/>).</summary>
    public BpfBtf? Btf { get; }

    /// <summary>What the load had to do without (BTF refused, kinds rewritten, slots left empty, ...). Empty when nothing was lost.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Paths this load pinned maps at (reused pins are not listed).</summary>
    public IReadOnlyList<string> PinnedPaths { get; }

    /// <summary>The program named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such loaded program.</exception>
    public BpfProgram Program(string name) =>
        _programs.TryGetValue(name, out var program) ? program
            : throw new KeyNotFoundException(_spec.Programs.Exists(p => p.Name == name)
                ? $"program '{name}' was skipped by the load's program filter"
                : $"object '{_spec.Name}' has no program '{name}' (it has: {string.Join(", ", _programs.Keys)})");

    /// <summary>The map named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    public BpfMap Map(string name) =>
        _maps.TryGetValue(name, out var map) ? map
            : throw new KeyNotFoundException($"object '{_spec.Name}' has no map '{name}' (it has: {string.Join(", ", _maps.Keys)})");

    /// <summary>Closes the programs, then the maps, then the BTF.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var program in _programs.Values) program.Dispose();
        foreach (var map in _maps.Values) map.Dispose();
        Btf?.Dispose();
    }
}
