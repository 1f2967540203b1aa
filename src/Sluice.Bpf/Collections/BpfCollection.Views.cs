using System.Runtime.InteropServices;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

// Typed access to the collection's maps and global variables. Views borrow the map: the collection closes it.
public sealed partial class BpfCollection
{
    /// <summary>A typed view of hash (or LRU hash) map <paramref name="name"/>; sizes are checked against the map.</summary>
    public BpfHashMap<TKey, TValue> HashMap<TKey, TValue>(string name) where TKey : unmanaged where TValue : unmanaged =>
        new(Map(name));

    /// <summary>A typed view of array map <paramref name="name"/>.</summary>
    public BpfArrayMap<T> ArrayMap<T>(string name) where T : unmanaged => new(Map(name));

    /// <summary>A typed view of per-CPU array <paramref name="name"/>.</summary>
    public BpfPerCpuArray<T> PerCpuArray<T>(string name) where T : unmanaged => new(Map(name));

    /// <summary>A typed view of per-CPU hash map <paramref name="name"/>.</summary>
    public BpfPerCpuHashMap<TKey, TValue> PerCpuHashMap<TKey, TValue>(string name) where TKey : unmanaged where TValue : unmanaged =>
        new(Map(name));

    /// <summary>Reads global variable <paramref name="name"/> (.data, .bss, .rodata, ...) as the kernel map holds it now.</summary>
    /// <exception cref="KeyNotFoundException">No such global variable.</exception>
    /// <exception cref="ArgumentException">The variable's size differs from <typeparamref name="T"/>'s.</exception>
    public unsafe T ReadGlobal<T>(string name) where T : unmanaged
    {
        var (map, variable) = FindGlobal<T>(name);
        var value = new byte[map.ValueBufferSize];
        if (!map.TryLookup(stackalloc byte[4], value)) throw new InvalidOperationException($"global-data map '{map.Name}' has no entry");
        return MemoryMarshal.Read<T>(value.AsSpan((int)variable.Offset, sizeof(T)));
    }

    /// <summary>
    /// Writes global variable <paramref name="name"/> in the kernel map (read-modify-write of the whole section;
    /// not atomic against programs writing other variables of it). Frozen .rodata refuses with EPERM.
    /// </summary>
    public unsafe void WriteGlobal<T>(string name, T value) where T : unmanaged
    {
        var (map, variable) = FindGlobal<T>(name);
        var section = new byte[map.ValueBufferSize];
        Span<byte> key = stackalloc byte[4];
        if (!map.TryLookup(key, section)) throw new InvalidOperationException($"global-data map '{map.Name}' has no entry");
        MemoryMarshal.Write(section.AsSpan((int)variable.Offset, sizeof(T)), in value);
        map.Update(key, section);
    }

    private unsafe (BpfMap Map, GlobalVariable Variable) FindGlobal<T>(string name) where T : unmanaged
    {
        foreach (var spec in _spec.Maps)
        {
            if (spec.Kind != MapSpecKind.GlobalData) continue;
            var variable = spec.Variables.Find(v => v.Name == name);
            if (variable is null) continue;
            if (variable.Size != sizeof(T))
                throw new ArgumentException($"global '{name}' is {variable.Size} bytes, {typeof(T).Name} is {sizeof(T)}", nameof(name));
            return (Map(spec.Name), variable);
        }
        throw new KeyNotFoundException($"object '{_spec.Name}' has no global variable '{name}'");
    }
}
