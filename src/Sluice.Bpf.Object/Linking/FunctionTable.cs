using System.Runtime.InteropServices;
using Sluice.Bpf.Object.Elf;

namespace Sluice.Bpf.Object.Linking;

/// <summary>
/// The instructions of every executable section and the functions (STT_FUNC symbols) inside them, with
/// the section's call and ld_imm64 relocations indexed by instruction.
/// </summary>
internal sealed class FunctionTable
{
    private readonly Dictionary<int, BpfInstruction[]> _code = [];
    private readonly Dictionary<int, List<ObjectFunction>> _functions = [];
    private readonly Dictionary<(int Section, int Instruction), ElfRelocation> _relocations = [];

    /// <summary>All functions, in section then address order.</summary>
    public List<ObjectFunction> All { get; } = [];

    public FunctionTable(ElfFile elf)
    {
        foreach (var section in elf.Sections)
        {
            if (!section.IsExecutable || section.Size == 0) continue;
            if (section.Size % 8 != 0)
                throw elf.Error($"{section} is {section.Size} bytes, not a whole number of 8-byte instructions");
            _code[section.Index] = MemoryMarshal.Cast<byte, BpfInstruction>(elf.Data(section)).ToArray();

            foreach (var relocation in elf.RelocationsFor(section.Index))
            {
                if (relocation.Offset % 8 != 0)
                    throw elf.Error($"relocation in '{section.Name}' at offset 0x{relocation.Offset:x} is not on an instruction boundary");
                _relocations[(section.Index, (int)(relocation.Offset / 8))] = relocation;
            }
        }

        var bySection = new Dictionary<int, List<ElfSymbol>>();
        foreach (var symbol in elf.Symbols)
        {
            if (!symbol.IsFunction || symbol.IsUndefined || !_code.ContainsKey(symbol.SectionIndex)) continue;
            if (!bySection.TryGetValue(symbol.SectionIndex, out var list)) bySection[symbol.SectionIndex] = list = [];
            list.Add(symbol);
        }

        foreach (var (sectionIndex, symbols) in bySection.OrderBy(pair => pair.Key))
        {
            var section = elf.Sections[sectionIndex];
            int count = _code[sectionIndex].Length;
            symbols.Sort((a, b) => a.Value.CompareTo(b.Value));
            var functions = new List<ObjectFunction>(symbols.Count);
            for (int i = 0; i < symbols.Count; i++)
            {
                var symbol = symbols[i];
                if (symbol.Value % 8 != 0 || symbol.Value / 8 >= (ulong)count)
                    throw elf.Error($"function '{symbol.Name}' at 0x{symbol.Value:x} is outside {section} ({section.Size} bytes) or misaligned");
                int start = (int)(symbol.Value / 8);
                int next = i + 1 < symbols.Count ? (int)Math.Min(symbols[i + 1].Value / 8, (ulong)count) : count;
                int end = symbol.Size == 0 ? next : symbol.Size % 8 == 0 && symbol.Size / 8 <= (ulong)(count - start)
                    ? start + (int)(symbol.Size / 8)
                    : throw elf.Error($"function '{symbol.Name}' size {symbol.Size} does not fit {section} ({section.Size} bytes)");
                if (end <= start) throw elf.Error($"function '{symbol.Name}' in {section} is empty");
                if (functions.Count > 0 && functions[^1].Start == start)
                    throw elf.Error($"functions '{functions[^1].Name}' and '{symbol.Name}' both start at 0x{symbol.Value:x} in {section}");
                functions.Add(new ObjectFunction(symbol.Name, section, start, end, symbol));
            }
            _functions[sectionIndex] = functions;
            All.AddRange(functions);
        }
    }

    public BpfInstruction[] Code(ElfSection section) => _code[section.Index];

    public bool IsCodeSection(int sectionIndex) => _code.ContainsKey(sectionIndex);

    public ElfRelocation? RelocationAt(ElfSection section, int instruction) =>
        _relocations.TryGetValue((section.Index, instruction), out var relocation) ? relocation : null;

    /// <summary>The function that starts exactly at <paramref name="instruction"/> of section <paramref name="sectionIndex"/>.</summary>
    public ObjectFunction? FunctionStartingAt(int sectionIndex, long instruction)
    {
        if (!_functions.TryGetValue(sectionIndex, out var functions)) return null;
        int low = 0, high = functions.Count - 1;
        while (low <= high)
        {
            int middle = (low + high) / 2;
            int start = functions[middle].Start;
            if (start == instruction) return functions[middle];
            if (start < instruction) low = middle + 1;
            else high = middle - 1;
        }
        return null;
    }
}
