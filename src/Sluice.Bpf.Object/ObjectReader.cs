using System.Buffers.Binary;
using Sluice.Bpf.Object.Btf;
using Sluice.Bpf.Object.Elf;
using Sluice.Bpf.Object.Linking;
using Sluice.Bpf.Object.Maps;

namespace Sluice.Bpf.Object;

/// <summary>
/// Reads a libbpf-style BPF ELF object (ELF64, little-endian, EM_BPF, relocatable) into an <see cref="ObjectSpec"/>.
/// Pure: no syscalls, no kernel; the same bytes give the same spec anywhere. Malformed input of any kind ends in
/// a <see cref="BpfObjectException"/> that names the object and the problem.
/// </summary>
public static class ObjectReader
{
    /// <summary>Reads the object at <paramref name="path"/>.</summary>
    /// <exception cref="BpfObjectException">The file is not a valid BPF object, or uses something unsupported.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ObjectSpec Read(string path) => Read(File.ReadAllBytes(path), Path.GetFileName(path));

    /// <summary>
    /// Reads an object from memory. <paramref name="name"/> (typically the file name, e.g. "globals.bpf.o") prefixes
    /// error messages; the spec's <see cref="ObjectSpec.Name"/> is the part before its first '.', as libbpf names objects.
    /// </summary>
    /// <exception cref="BpfObjectException">The bytes are not a valid BPF object, or use something unsupported.</exception>
    public static ObjectSpec Read(ReadOnlyMemory<byte> bytes, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string objectName = ObjectName(name);
        var elf = new ElfFile(bytes, name);

        BtfSpec? btf = null;
        BtfExt? ext = null;
        if (elf.FindSection(".BTF") is { } btfSection)
        {
            btf = BtfParser.Parse(elf.Data(btfSection), name);
            if (elf.FindSection(".BTF.ext") is { } extSection) ext = BtfExt.Parse(elf.Data(extSection), btf, name);
            BtfFixups.Apply(btf, elf);
        }

        var functions = new FunctionTable(elf);
        var programNames = new HashSet<string>(functions.All.Where(f => f.IsProgram).Select(f => f.Name), StringComparer.Ordinal);

        var maps = new List<MapSpec>();
        var declaredBySection = new Dictionary<int, IReadOnlyList<(ulong, ulong, string)>>();
        if (elf.FindSection(BtfMapReader.SectionName) is { } mapsSection)
        {
            if (btf is null) throw elf.Error($"section '{BtfMapReader.SectionName}' needs BTF, but the object has no .BTF section");
            var declared = new BtfMapReader(elf, btf).Read(mapsSection, programNames.Contains);
            maps.AddRange(declared.Select(m => m.Spec));
            declaredBySection[mapsSection.Index] = declared.Select(m => (m.Offset, m.Size, m.Spec.Name)).ToList();
        }
        if (elf.FindSection(LegacyMapReader.SectionName) is { } legacySection)
        {
            var legacy = LegacyMapReader.Read(elf, legacySection);
            maps.AddRange(legacy.Select(m => m.Spec));
            declaredBySection[legacySection.Index] = legacy.Select(m => (m.Offset, m.Size, m.Spec.Name)).ToList();
        }

        var globalBySection = new Dictionary<int, MapSpec>();
        foreach (var section in elf.Sections)
        {
            if (!GlobalDataMaps.IsGlobalDataSection(section) || section.Size == 0) continue;
            var spec = GlobalDataMaps.Create(elf, section, btf, objectName);
            globalBySection[section.Index] = spec;
            maps.Add(spec);
        }

        var externs = ExternTable.Build(elf, btf, objectName);
        if (externs.KconfigMap is { } kconfig)
        {
            foreach (var extern_ in externs.All.Where(e => e.Kind == ExternKind.Kconfig))
                kconfig.Variables.Add(new GlobalVariable(extern_.Name, extern_.Offset, extern_.Size, true));
            maps.Add(kconfig);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var map in maps)
            if (!seen.Add(map.Name)) throw elf.Error($"two maps are named '{map.Name}'");

        string license = ReadLicense(elf);
        uint version = ReadVersion(elf);
        var linker = new ProgramLinker(elf, functions, new DataReferenceResolver(elf, declaredBySection, globalBySection), externs, btf, ext);
        var programs = new List<ProgramSpec>();
        foreach (var function in functions.All)
        {
            if (!function.IsProgram) continue;
            var info = ProgramSectionTable.Lookup(function.Section.Name);
            var program = new ProgramSpec
            {
                Name = function.Name,
                SectionName = function.Section.Name,
                Type = info?.Type ?? BpfProgramType.Unspecified,
                ExpectedAttachType = info?.ExpectedAttachType ?? 0,
                HasExpectedAttachType = info?.HasExpectedAttachType ?? false,
                Flags = info?.Flags ?? 0,
                License = license,
                KernelVersion = version,
            };
            linker.Link(function, program);
            programs.Add(program);
        }

        return new ObjectSpec
        {
            Name = objectName,
            Programs = programs,
            Maps = maps,
            License = license,
            KernelVersion = version,
            Btf = btf,
            Externs = externs.All,
        };
    }

    /// <summary>libbpf's object name: the file name up to its first '.' ("globals.bpf.o" → "globals").</summary>
    private static string ObjectName(string name)
    {
        string file = Path.GetFileName(name);
        int dot = file.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 ? file[..dot] : file;
    }

    private static string ReadLicense(ElfFile elf)
    {
        if (elf.FindSection("license") is not { } section) return "";
        var data = elf.Data(section);
        int end = data.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? data : data[..end]);
    }

    private static uint ReadVersion(ElfFile elf)
    {
        if (elf.FindSection("version") is not { } section) return 0;
        var data = elf.Data(section);
        if (data.Length != 4) throw elf.Error($"section 'version' is {data.Length} bytes, expected 4");
        return BinaryPrimitives.ReadUInt32LittleEndian(data);
    }
}
