using System.Runtime.InteropServices;

namespace Sluice.Bpf.Object;

/// <summary>
/// Everything a BPF ELF object describes: programs, maps, global data, BTF. Deterministic: the same bytes give
/// the same spec on any machine. Load it into a kernel with Sluice.Bpf's <c>BpfCollection</c>.
/// </summary>
public sealed class ObjectSpec
{
    /// <summary>
    /// The object's name, as libbpf derives it: the file name up to its first '.' ("globals.bpf.o" gives "globals").
    /// Global-data map kernel names start with it (see <see cref="MapSpec.KernelName"/>).
    /// </summary>
    public required string Name { get; init; }

    /// <summary>Programs, in section/symbol order.</summary>
    public List<ProgramSpec> Programs { get; init; } = [];

    /// <summary>Maps: declared maps first, then global-data maps.</summary>
    public List<MapSpec> Maps { get; init; } = [];

    /// <summary>The "license" section's string.</summary>
    public string License { get; init; } = "";

    /// <summary>The "version" section's value, 0 when absent.</summary>
    public uint KernelVersion { get; init; }

    /// <summary>The object's BTF (with DATASEC sizes and offsets filled in), or null when it has none.</summary>
    public BtfSpec? Btf { get; init; }

    /// <summary>
    /// The externs the object declares (__kconfig values, __ksym variables and kfuncs), which the loader resolves
    /// against the running kernel. Kconfig values live in the ".kconfig" map (see <see cref="ExternSpec.Offset"/>).
    /// </summary>
    public List<ExternSpec> Externs { get; init; } = [];

    /// <summary>Finds a program by name.</summary>
    /// <exception cref="KeyNotFoundException">No such program.</exception>
    public ProgramSpec Program(string name) =>
        Programs.Find(p => p.Name == name) ?? throw new KeyNotFoundException($"object '{Name}' has no program '{name}'");

    /// <summary>Finds a map by name.</summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    public MapSpec Map(string name) =>
        Maps.Find(m => m.Name == name) ?? throw new KeyNotFoundException($"object '{Name}' has no map '{name}'");

    /// <summary>
    /// Sets a global variable (typically a <c>const volatile</c> knob in .rodata) before load.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No global variable of that name.</exception>
    /// <exception cref="ArgumentException">The value's size differs from the variable's.</exception>
    public void SetGlobal(string name, ReadOnlySpan<byte> value)
    {
        foreach (var map in Maps)
        {
            if (map.Kind != MapSpecKind.GlobalData) continue;
            foreach (var variable in map.Variables)
            {
                if (variable.Name != name) continue;
                if (value.Length != variable.Size)
                    throw new ArgumentException(
                        $"global '{name}' is {variable.Size} bytes, the value given is {value.Length}", nameof(value));
                if (map.InitialValue is null)
                    throw new InvalidOperationException($"global '{name}' lives in {map.Name}, which has no initial value");
                value.CopyTo(map.InitialValue.AsSpan((int)variable.Offset));
                return;
            }
        }
        throw new KeyNotFoundException($"object '{Name}' has no global variable '{name}'");
    }

#if NET // The source generator compiles these sources for netstandard2.0, which lacks the span constructor.
    /// <summary>Sets a global variable from an unmanaged value (see <see cref="SetGlobal(string, ReadOnlySpan{byte})"/>).</summary>
    public void SetGlobal<T>(string name, T value) where T : unmanaged =>
        SetGlobal(name, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));
#endif

    /// <summary>A deep copy, so one parsed object can be loaded several times with different settings.</summary>
    public ObjectSpec Clone() => new()
    {
        Name = Name,
        Programs = Programs.ConvertAll(p => p.Clone()),
        Maps = Maps.ConvertAll(m => m.Clone()),
        License = License,
        KernelVersion = KernelVersion,
        Btf = Btf,
        Externs = [.. Externs],
    };
}
