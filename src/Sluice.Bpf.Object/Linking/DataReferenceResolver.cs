using Sluice.Bpf.Object.Elf;

namespace Sluice.Bpf.Object.Linking;

/// <summary>
/// Decides what an ld_imm64 relocation's symbol is: a declared map (in .maps or the legacy maps section) or a
/// place in a global-data section. Knows the map names the object's specs use.
/// </summary>
internal sealed class DataReferenceResolver(ElfFile elf, IReadOnlyDictionary<int, IReadOnlyList<(ulong Offset, ulong Size, string Name)>> declaredMapsBySection,
    IReadOnlyDictionary<int, MapSpec> globalDataBySection)
{
    /// <summary>Resolves the reference; <paramref name="addend"/> is the instruction's immediate.</summary>
    public (string MapName, MapReferenceKind Kind, uint Offset) Resolve(ElfSymbol symbol, int addend, ObjectFunction program, ElfSection from)
    {
        var section = elf.Sections[symbol.SectionIndex];
        ulong position = (symbol.IsSection ? 0 : symbol.Value) + (ulong)(long)addend;
        if (declaredMapsBySection.TryGetValue(symbol.SectionIndex, out var maps))
        {
            foreach (var (offset, size, name) in maps)
                if (position >= offset && position < offset + Math.Max(size, 1))
                    return (name, MapReferenceKind.Map, 0);
            throw elf.Error($"program '{program.Name}' (in '{from.Name}') refers to '{symbol.Name}' + {addend} in '{section.Name}', which is not a map");
        }
        if (globalDataBySection.TryGetValue(symbol.SectionIndex, out var data))
        {
            if (addend < 0 || position >= data.ValueSize)
                throw elf.Error($"program '{program.Name}' (in '{from.Name}') refers to '{symbol.Name}' + {addend}, beyond '{section.Name}' ({data.ValueSize} bytes)");
            return (data.Name, MapReferenceKind.Value, (uint)position);
        }
        throw elf.Error($"program '{program.Name}' (in '{from.Name}') refers to symbol '{symbol.Name}' in section '{section.Name}', which is neither a map nor global data");
    }
}
