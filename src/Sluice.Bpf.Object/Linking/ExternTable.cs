using Sluice.Bpf.Object.Elf;
using Sluice.Bpf.Object.Maps;

namespace Sluice.Bpf.Object.Linking;

/// <summary>
/// The object's externs: undefined global symbols described by the .kconfig and .ksyms BTF data sections. Kconfig
/// values get a place in the ".kconfig" map (each aligned to its size, up to 8), which the loader fills before
/// creating it; .ksyms externs are left for the loader to point at the kernel.
/// </summary>
internal sealed class ExternTable
{
    public const string KconfigSection = ".kconfig";
    public const string KsymsSection = ".ksyms";

    private readonly Dictionary<string, ExternSpec> _byName = new(StringComparer.Ordinal);

    public List<ExternSpec> All { get; } = [];

    /// <summary>The ".kconfig" map when the object has kconfig externs.</summary>
    public MapSpec? KconfigMap { get; private set; }

    public ExternSpec? Find(string name) => _byName.TryGetValue(name, out var spec) ? spec : null;

    /// <summary>C alignment of a kconfig value's type: arrays align as their element, scalars as their size (at most 8).</summary>
    private static uint Alignment(BtfSpec btf, uint typeId)
    {
        var type = btf.SkipQualifiers(typeId);
        if (type?.Kind == BtfKind.Array) return Alignment(btf, type.Array!.Value.ElementTypeId);
        uint size = btf.TryGetSize(typeId, out uint bytes, out _) ? bytes : 1;
        return size >= 8 ? 8u : size >= 4 ? 4u : size >= 2 ? 2u : 1u;
    }

    public static ExternTable Build(ElfFile elf, BtfSpec? btf, string objectName)
    {
        var table = new ExternTable();
        if (btf is null) return table;
        var undefined = new Dictionary<string, ElfSymbol>(StringComparer.Ordinal);
        foreach (var symbol in elf.Symbols)
            if (symbol.IsUndefined && symbol.IsGlobal && symbol.Name.Length > 0) undefined[symbol.Name] = symbol;

        var kconfig = new List<(ExternSpec Spec, uint Alignment)>();
        foreach (string section in new[] { KconfigSection, KsymsSection })
        {
            if (btf.FindType(section, BtfKind.DataSection) is not { } datasec) continue;
            foreach (var entry in datasec.Variables)
            {
                var declared = btf.TypeById(entry.TypeId);
                if (declared is null || !undefined.TryGetValue(declared.Name, out var symbol)) continue;
                bool weak = symbol.Binding == ElfConstants.BindWeak;
                ExternSpec spec;
                if (section == KconfigSection)
                {
                    if (declared.Kind != BtfKind.Variable)
                        throw elf.Error($"extern '{declared.Name}' in {KconfigSection} is a {declared.Kind}, not a variable");
                    if (!btf.TryGetSize(declared.ReferencedTypeId, out uint size, out string? problem) || size == 0)
                        throw elf.Error($"kconfig extern '{declared.Name}': {problem ?? "it has no size"}");
                    kconfig.Add((new ExternSpec(declared.Name, ExternKind.Kconfig, weak, declared.Id, declared.ReferencedTypeId, 0, size),
                        Alignment(btf, declared.ReferencedTypeId)));
                    continue;
                }
                else if (declared.Kind == BtfKind.Function)
                {
                    spec = new ExternSpec(declared.Name, ExternKind.KernelFunction, weak, declared.Id, declared.ReferencedTypeId, 0, 0);
                }
                else
                {
                    bool typeless = btf.SkipQualifiers(declared.ReferencedTypeId) is null;
                    spec = new ExternSpec(declared.Name, typeless ? ExternKind.TypelessSymbol : ExternKind.KernelVariable, weak,
                        declared.Id, typeless ? 0 : declared.ReferencedTypeId, 0, 0);
                }
                if (table._byName.TryAdd(spec.Name, spec)) table.All.Add(spec);
            }
        }
        // libbpf's layout (cmp_externs): alignment descending, then size ascending, then name; each aligned. Matching it
        // keeps the loaded instructions identical to libbpf's.
        kconfig.Sort((a, b) => a.Alignment != b.Alignment ? b.Alignment.CompareTo(a.Alignment)
            : a.Spec.Size != b.Spec.Size ? a.Spec.Size.CompareTo(b.Spec.Size) : string.CompareOrdinal(a.Spec.Name, b.Spec.Name));
        uint kconfigSize = 0;
        foreach (var (value, alignment) in kconfig)
        {
            kconfigSize = (kconfigSize + alignment - 1) / alignment * alignment;
            var placed = value with { Offset = kconfigSize };
            kconfigSize += value.Size;
            table._byName.Add(placed.Name, placed);
            table.All.Add(placed);
        }

        // clang emits no BTF for `extern const void sym __ksym`: an undefined non-function symbol left over is such a
        // typeless ksym (libbpf reads it the same way).
        foreach (var symbol in undefined.Values)
        {
            if (table._byName.ContainsKey(symbol.Name) || symbol.IsFunction) continue;
            var spec = new ExternSpec(symbol.Name, ExternKind.TypelessSymbol, symbol.Binding == ElfConstants.BindWeak, 0, 0, 0, 0);
            table._byName.Add(spec.Name, spec);
            table.All.Add(spec);
        }
        if (kconfigSize > 0)
        {
            table.KconfigMap = new MapSpec
            {
                Name = KconfigSection,
                KernelName = GlobalDataMaps.KernelMapName(objectName, KconfigSection),
                Type = BpfMapType.Array,
                Kind = MapSpecKind.GlobalData,
                KeySize = 4,
                ValueSize = (kconfigSize + 7) / 8 * 8,
                MaxEntries = 1,
                Freeze = true,
                InitialValue = new byte[(kconfigSize + 7) / 8 * 8],
                Flags = GlobalDataMaps.ReadOnlyProgram | GlobalDataMaps.Mmapable,
            };
        }
        return table;
    }
}
