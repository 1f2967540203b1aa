using System.Buffers.Binary;
using Sluice.Bpf.Object.Elf;

namespace Sluice.Bpf.Object.Btf;

/// <summary>
/// The deterministic BTF fix-ups that make clang's object BTF loadable, applied in place to
/// <see cref="BtfSpec.RawData"/> (and mirrored in the parsed types). They depend only on the object, never on
/// the running kernel; kernel-dependent sanitising (replacing kinds an old kernel lacks) belongs to the loader.
/// <list type="number">
/// <item>DATASEC size: clang leaves it 0; set it to the ELF section's size.</item>
/// <item>DATASEC variable offsets: clang leaves them 0; set each to its ELF symbol's value.</item>
/// <item>A global variable with hidden or internal ELF visibility becomes a static BTF VAR (as libbpf does; it
/// decides whether the global-data map is BPF_F_MMAPABLE).</item>
/// <item>DATASEC entries are sorted by offset: the kernel requires ascending, non-overlapping entries.</item>
/// <item>DATASEC names keep only [A-Za-z0-9_.]; anything else (e.g. '/' or '?') becomes '_', because kernels
/// before 6.5 only accept identifier-like section names.</item>
/// </list>
/// .kconfig and .ksyms data sections describe externs, which have no ELF section; they are only sorted here (the
/// loader rewrites their linkage, offsets and sizes in the copy it gives the kernel: BtfExternFixups).
/// </summary>
internal static class BtfFixups
{
    public static void Apply(BtfSpec btf, ElfFile elf)
    {
        var raw = btf.RawData.AsSpan();
        var symbols = new Dictionary<(int Section, string Name), ElfSymbol>();
        foreach (var symbol in elf.Symbols)
            if (!symbol.IsSection && !symbol.IsFunction && symbol.SectionIndex != 0) symbols.TryAdd((symbol.SectionIndex, symbol.Name), symbol);
        foreach (var datasec in btf.Types)
        {
            if (datasec.Kind != BtfKind.DataSection) continue;
            int record = btf.TypesOffset + datasec.RecordOffset;
            bool isExtern = datasec.Name is ".kconfig" or ".ksyms";
            var section = isExtern ? null : elf.FindSection(datasec.Name);
            if (section is not null && datasec.Size == 0 && section.Size <= uint.MaxValue)
            {
                datasec.Size = (uint)section.Size;
                BinaryPrimitives.WriteUInt32LittleEndian(raw[(record + 8)..], datasec.Size);
            }

            var entries = datasec.Variables.ToArray();
            for (int i = 0; i < entries.Length && section is not null; i++)
            {
                var variable = btf.TypeById(entries[i].TypeId);
                if (variable is null || variable.Kind != BtfKind.Variable) continue;
                if (!symbols.TryGetValue((section.Index, variable.Name), out var symbol)) continue;
                if (symbol.Value <= uint.MaxValue) entries[i] = entries[i] with { Offset = (uint)symbol.Value };
                if (symbol.IsGlobal && symbol.IsHidden && variable.Linkage == 1)
                {
                    variable.Linkage = 0;
                    BinaryPrimitives.WriteUInt32LittleEndian(raw[(btf.TypesOffset + variable.RecordOffset + 12)..], 0);
                }
            }

            // Stable sort keeps same-offset entries (zero-sized variables) in their original order.
            var sorted = entries.Select((entry, index) => (entry, index))
                .OrderBy(pair => pair.entry.Offset).ThenBy(pair => pair.index).Select(pair => pair.entry).ToArray();
            for (int i = 0; i < sorted.Length; i++)
            {
                var at = raw[(record + 12 + i * 12)..];
                BinaryPrimitives.WriteUInt32LittleEndian(at, sorted[i].TypeId);
                BinaryPrimitives.WriteUInt32LittleEndian(at[4..], sorted[i].Offset);
                BinaryPrimitives.WriteUInt32LittleEndian(at[8..], sorted[i].Size);
            }
            datasec.Variables = sorted;
            SanitizeName(btf, datasec);
        }
    }

    private static void SanitizeName(BtfSpec btf, BtfType datasec)
    {
        uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(btf.RawData.AsSpan(btf.TypesOffset + datasec.RecordOffset));
        if (nameOffset >= (uint)btf.StringsLength) return;
        var name = btf.RawData.AsSpan(btf.StringsOffset + (int)nameOffset, btf.StringsLength - (int)nameOffset);
        for (int i = 0; i < name.Length && name[i] != 0; i++)
        {
            byte c = name[i];
            bool allowed = c is (byte)'_' or (byte)'.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!allowed) name[i] = (byte)'_';
        }
    }
}
