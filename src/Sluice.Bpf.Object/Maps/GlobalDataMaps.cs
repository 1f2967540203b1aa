using Sluice.Bpf.Object.Elf;

namespace Sluice.Bpf.Object.Maps;

/// <summary>
/// Turns global-data sections (.data, .rodata, .bss and their ".name" variants) into one-entry array maps,
/// the way libbpf does: key 4 bytes, value = the section, initial value = its bytes (zeros for .bss).
/// </summary>
internal static class GlobalDataMaps
{
    /// <summary>BPF_F_RDONLY_PROG: programs may only read the map.</summary>
    public const uint ReadOnlyProgram = 1u << 7;

    /// <summary>BPF_F_MMAPABLE: user space may mmap the value.</summary>
    public const uint Mmapable = 1u << 10;

    public static bool IsGlobalDataSection(ElfSection section) =>
        (section.Flags & ElfConstants.FlagAlloc) != 0 && !section.IsExecutable
        && (section.Type == ElfConstants.SectionProgBits || section.Type == ElfConstants.SectionNoBits)
        && (Is(section.Name, ".data") || Is(section.Name, ".rodata") || Is(section.Name, ".bss"));

    private static bool Is(string name, string prefix) =>
        name == prefix || (name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length && name[prefix.Length] == '.');

    /// <summary>
    /// Largest global-data section accepted. The kernel caps array values at KMALLOC_MAX_SIZE (4 MiB on x86-64);
    /// the cap here is looser, and stops a corrupt .bss size from allocating gigabytes.
    /// </summary>
    public const ulong MaxSectionSize = 16 << 20;

    public static MapSpec Create(ElfFile elf, ElfSection section, BtfSpec? btf, string objectName)
    {
        if (section.Size > MaxSectionSize)
            throw elf.Error($"{section} is {section.Size} bytes; global-data sections over {MaxSectionSize} bytes are not supported");
        bool isReadOnly = Is(section.Name, ".rodata");
        var datasec = btf?.FindType(section.Name, BtfKind.DataSection);
        var spec = new MapSpec
        {
            Name = section.Name,
            KernelName = KernelMapName(objectName, section.Name),
            Type = BpfMapType.Array,
            Kind = MapSpecKind.GlobalData,
            KeySize = 4,
            ValueSize = (uint)section.Size,
            MaxEntries = 1,
            Freeze = isReadOnly,
            InitialValue = section.Type == ElfConstants.SectionNoBits ? new byte[section.Size] : elf.Data(section).ToArray(),
            BtfDatasecTypeId = datasec?.Id ?? 0,
            BtfValueTypeId = datasec?.Id ?? 0,
        };

        bool anyGlobal = false;
        if (datasec is not null && btf is not null)
        {
            foreach (var entry in datasec.Variables)
            {
                var variable = btf.TypeById(entry.TypeId);
                if (variable?.Kind != BtfKind.Variable || variable.Name.Length == 0) continue;
                if ((ulong)entry.Offset + entry.Size > section.Size)
                    throw elf.Error($"variable '{variable.Name}' at {entry.Offset} + {entry.Size} is beyond {section} ({section.Size} bytes)");
                spec.Variables.Add(new GlobalVariable(variable.Name, entry.Offset, entry.Size, isReadOnly));
                anyGlobal |= variable.Linkage != 0;
            }
        }
        else
        {
            foreach (var symbol in elf.Symbols)
            {
                if (symbol.SectionIndex != section.Index || symbol.Type != ElfConstants.SymbolObject || symbol.Name.Length == 0) continue;
                if (symbol.Value > section.Size || symbol.Size > section.Size - symbol.Value)
                    throw elf.Error($"variable '{symbol.Name}' at {symbol.Value} + {symbol.Size} is beyond {section} ({section.Size} bytes)");
                spec.Variables.Add(new GlobalVariable(symbol.Name, (uint)symbol.Value, (uint)symbol.Size, isReadOnly));
            }
        }

        // libbpf: read-only for programs when .rodata; mmapable when a non-static variable lives there.
        spec.Flags = (isReadOnly ? ReadOnlyProgram : 0) | (anyGlobal ? Mmapable : 0);
        return spec;
    }

    /// <summary>libbpf's internal map name: object prefix + section name, 15 characters at most.</summary>
    internal static string KernelMapName(string objectName, string sectionName)
    {
        const int maxLength = 15;
        int suffixLength = Math.Max(7, sectionName.Length);
        bool isCustom = sectionName.IndexOf('.', 1) >= 0;
        int prefixLength = isCustom ? 0 : Math.Max(0, Math.Min(maxLength - suffixLength, objectName.Length));
        var name = (objectName[..prefixLength] + sectionName).ToCharArray();
        for (int i = 0; i < name.Length; i++)
            if (!char.IsAsciiLetterOrDigit(name[i]) && name[i] != '_' && name[i] != '.') name[i] = '_';
        return new string(name, 0, Math.Min(name.Length, maxLength));
    }
}
