using System.Buffers.Binary;
using static Sluice.Bpf.Object.Elf.ElfConstants;

namespace Sluice.Bpf.Object.Elf;

/// <summary>
/// A validated view of an ELF64 little-endian relocatable BPF object: section headers, their names, the
/// symbol table and REL relocations. Every offset, size and index is checked against the file before use,
/// so nothing malformed gets past the constructor as anything but a <see cref="BpfObjectException"/>.
/// </summary>
internal sealed class ElfFile
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly Dictionary<int, List<ElfRelocation>> _relocationsByTarget = [];

    public string FileName { get; }
    public IReadOnlyList<ElfSection> Sections { get; }
    public IReadOnlyList<ElfSymbol> Symbols { get; }

    public ElfFile(ReadOnlyMemory<byte> bytes, string fileName)
    {
        _bytes = bytes;
        FileName = fileName;
        var span = bytes.Span;
        ValidateHeader(span);

        ulong sectionTableOffset = BinaryPrimitives.ReadUInt64LittleEndian(span[40..]);
        ushort sectionEntrySize = BinaryPrimitives.ReadUInt16LittleEndian(span[58..]);
        ulong sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(span[60..]);
        uint nameTableIndex = BinaryPrimitives.ReadUInt16LittleEndian(span[62..]);

        if (sectionTableOffset == 0) throw Error("has no section header table");
        if (sectionEntrySize != SectionHeaderSize)
            throw Error($"section header entry size is {sectionEntrySize}, expected {SectionHeaderSize}");
        if (sectionTableOffset > (ulong)span.Length || (ulong)span.Length - sectionTableOffset < SectionHeaderSize)
            throw Error($"section header table at 0x{sectionTableOffset:x} is beyond end of file ({span.Length} bytes)");

        // Extended numbering: more than 0xff00 sections keep their real count and name index in section 0.
        var first = span.Slice((int)sectionTableOffset, SectionHeaderSize);
        if (sectionCount == 0) sectionCount = BinaryPrimitives.ReadUInt64LittleEndian(first[32..]);
        if (nameTableIndex == SectionIndexExtended) nameTableIndex = BinaryPrimitives.ReadUInt32LittleEndian(first[40..]);

        ulong tableBytes = (ulong)span.Length - sectionTableOffset;
        if (sectionCount == 0 || sectionCount > tableBytes / SectionHeaderSize)
            throw Error($"section header table at 0x{sectionTableOffset:x} with {sectionCount} entries is beyond end of file ({span.Length} bytes)");
        if (nameTableIndex == 0 || nameTableIndex >= sectionCount)
            throw Error($"section name string table index {nameTableIndex} is out of range (file has {sectionCount} sections)");

        var raw = new RawSection[(int)sectionCount];
        for (int i = 0; i < raw.Length; i++)
        {
            var header = span.Slice((int)sectionTableOffset + i * SectionHeaderSize, SectionHeaderSize);
            raw[i] = new RawSection(
                BinaryPrimitives.ReadUInt32LittleEndian(header),
                BinaryPrimitives.ReadUInt32LittleEndian(header[4..]),
                BinaryPrimitives.ReadUInt64LittleEndian(header[8..]),
                BinaryPrimitives.ReadUInt64LittleEndian(header[24..]),
                BinaryPrimitives.ReadUInt64LittleEndian(header[32..]),
                BinaryPrimitives.ReadUInt32LittleEndian(header[40..]),
                BinaryPrimitives.ReadUInt32LittleEndian(header[44..]),
                BinaryPrimitives.ReadUInt64LittleEndian(header[56..]));
        }

        var names = raw[nameTableIndex];
        if (names.Type != SectionStringTable)
            throw Error($"section name string table (section {nameTableIndex}) has type {names.Type}, expected a string table ({SectionStringTable})");
        CheckBounds(span.Length, (int)nameTableIndex, "<section names>", names);
        var nameTable = span.Slice((int)names.Offset, (int)names.Size);

        var sections = new ElfSection[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            var r = raw[i];
            string name = i == 0 ? "" : ReadString(nameTable, r.Name, $"name of section {i}");
            if (r.Type != SectionNoBits && r.Type != SectionNull) CheckBounds(span.Length, i, name, r);
            sections[i] = new ElfSection(i, name, r.Type, r.Flags, r.Offset, r.Size, r.Link, r.Info, r.EntrySize);
        }
        Sections = sections;
        Symbols = ReadSymbols();
        ReadRelocations();
    }

    /// <summary>The bytes of a section (empty for NOBITS).</summary>
    public ReadOnlySpan<byte> Data(ElfSection section) =>
        section.HasFileData ? _bytes.Span.Slice((int)section.Offset, (int)section.Size) : [];

    /// <summary>The REL relocations that apply to section <paramref name="targetIndex"/>, in file order.</summary>
    public IReadOnlyList<ElfRelocation> RelocationsFor(int targetIndex) =>
        _relocationsByTarget.TryGetValue(targetIndex, out var list) ? list : [];

    public ElfSection? FindSection(string name)
    {
        foreach (var section in Sections)
            if (section.Name == name) return section;
        return null;
    }

    public BpfObjectException Error(string problem) => new($"{FileName}: {problem}");

    private void ValidateHeader(ReadOnlySpan<byte> span)
    {
        if (span.Length == 0) throw Error("not an ELF file (it is empty)");
        if (span.Length < 4 || !span[..4].SequenceEqual("\u007fELF"u8)) throw Error("not an ELF file");
        if (span.Length < HeaderSize) throw Error($"truncated ELF header ({span.Length} bytes, need {HeaderSize})");
        if (span[4] != Class64) throw Error($"ELF class is {(span[4] == 1 ? "32-bit" : span[4].ToString())}, expected 64-bit");
        if (span[5] != DataLittleEndian)
            throw Error($"ELF data encoding is {(span[5] == 2 ? "big-endian" : span[5].ToString())}, expected little-endian");
        ushort machine = BinaryPrimitives.ReadUInt16LittleEndian(span[18..]);
        if (machine != MachineBpf)
            throw Error($"ELF machine is {MachineName(machine)} ({machine}), expected BPF ({MachineBpf})");
        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(span[16..]);
        if (type != TypeRelocatable) throw Error($"ELF type is {type}, expected a relocatable object ({TypeRelocatable})");
    }

    private List<ElfSymbol> ReadSymbols()
    {
        ElfSection? table = null;
        foreach (var section in Sections)
        {
            if (section.Type != SectionSymbolTable) continue;
            if (table is not null) throw Error($"has two symbol tables ({table} and {section})");
            table = section;
        }
        if (table is null) return [];
        if (table.EntrySize != SymbolSize)
            throw Error($"{table} has entry size {table.EntrySize}, expected {SymbolSize}");
        if (table.Link == 0 || table.Link >= Sections.Count || Sections[(int)table.Link].Type != SectionStringTable)
            throw Error($"{table} links to section {table.Link}, which is not a string table");
        var strings = Data(Sections[(int)table.Link]);
        var data = Data(table);
        int count = data.Length / SymbolSize;
        var symbols = new List<ElfSymbol>(count);
        for (int i = 0; i < count; i++)
        {
            var entry = data.Slice(i * SymbolSize, SymbolSize);
            uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            byte info = entry[4];
            byte other = entry[5];
            int sectionIndex = BinaryPrimitives.ReadUInt16LittleEndian(entry[6..]);
            // Absolute and common symbols (0xfff1, 0xfff2) have no section in a BPF object; treat as undefined.
            if (sectionIndex >= SectionIndexReserveLow) sectionIndex = SectionIndexUndefined;
            else if (sectionIndex >= Sections.Count)
                throw Error($"symbol {i} refers to section {sectionIndex} but the file has {Sections.Count}");
            string name = i == 0 ? "" : ReadString(strings, nameOffset, $"name of symbol {i}");
            byte type = (byte)(info & 0xf);
            if (type == SymbolSection && name.Length == 0 && sectionIndex != 0) name = Sections[sectionIndex].Name;
            symbols.Add(new ElfSymbol(i, name, type, (byte)(info >> 4), (byte)(other & 0x3), sectionIndex,
                BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]), BinaryPrimitives.ReadUInt64LittleEndian(entry[16..])));
        }
        return symbols;
    }

    private void ReadRelocations()
    {
        foreach (var section in Sections)
        {
            if (section.Type != SectionRel) continue;
            if (section.Info == 0 || section.Info >= Sections.Count)
                throw Error($"{section} applies to section {section.Info} but the file has {Sections.Count}");
            var target = Sections[(int)section.Info];
            // Debug-info relocations are irrelevant to loading; skipping them keeps large objects fast.
            if (target.Name.StartsWith(".debug_", StringComparison.Ordinal)) continue;
            if (section.EntrySize != RelocationSize)
                throw Error($"{section} has entry size {section.EntrySize}, expected {RelocationSize}");
            var data = Data(section);
            var list = new List<ElfRelocation>(data.Length / RelocationSize);
            for (int i = 0; i + RelocationSize <= data.Length; i += RelocationSize)
            {
                ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
                ulong info = BinaryPrimitives.ReadUInt64LittleEndian(data[(i + 8)..]);
                ulong symbolIndex = info >> 32;
                if (symbolIndex >= (ulong)Symbols.Count)
                    throw Error($"relocation in '{target.Name}' points at symbol {symbolIndex} but the symbol table has {Symbols.Count}");
                if (target.Type != SectionNoBits && (offset >= target.Size || target.Size - offset < 4))
                    throw Error($"relocation in '{target.Name}' at offset 0x{offset:x} is beyond the section ({target.Size} bytes)");
                list.Add(new ElfRelocation(offset, (uint)info, Symbols[(int)symbolIndex]));
            }
            if (!_relocationsByTarget.TryGetValue(target.Index, out var existing)) _relocationsByTarget[target.Index] = list;
            else existing.AddRange(list);
        }
    }

    private void CheckBounds(int fileLength, int index, string name, RawSection r)
    {
        if (r.Offset > (ulong)fileLength || r.Size > (ulong)fileLength - r.Offset)
            throw Error($"section {index} '{name}' offset 0x{r.Offset:x} + size {r.Size} is beyond end of file ({fileLength} bytes)");
    }

    private string ReadString(ReadOnlySpan<byte> table, uint offset, string what)
    {
        if (offset >= (uint)table.Length)
            throw Error($"{what}: string offset {offset} is beyond the string table ({table.Length} bytes)");
        var rest = table[(int)offset..];
        int end = rest.IndexOf((byte)0);
        if (end < 0) throw Error($"{what}: string at offset {offset} is not NUL-terminated");
        return System.Text.Encoding.UTF8.GetString(rest[..end]);
    }

    private readonly record struct RawSection(
        uint Name, uint Type, ulong Flags, ulong Offset, ulong Size, uint Link, uint Info, ulong EntrySize);
}
