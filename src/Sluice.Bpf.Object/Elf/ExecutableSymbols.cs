using System.Buffers.Binary;
using System.Text;

namespace Sluice.Bpf.Object;

/// <summary>
/// Finds a function in an ELF64 executable or shared library (.symtab, else .dynsym) and turns its address into
/// the file offset a uprobe wants: st_value - sh_addr + sh_offset of the section that holds it (what libbpf does).
/// Pure: works on bytes, every offset checked.
/// </summary>
public static class ExecutableSymbols
{
    private const uint SectionSymbolTable = 2;
    private const uint SectionDynamicSymbols = 11;
    private const byte SymbolFunction = 2;
    private const byte SymbolGnuIndirect = 10;

    /// <summary>The file offset of function <paramref name="name"/> in the ELF image <paramref name="elf"/>.</summary>
    /// <param name="elf">The whole file.</param>
    /// <param name="name">The symbol name (exact; versioned names such as "malloc@@GLIBC_2.2.5" match their base name).</param>
    /// <param name="fileName">For messages.</param>
    /// <exception cref="BpfObjectException">Not a 64-bit little-endian ELF file, malformed, or no such function.</exception>
    public static ulong FunctionOffset(ReadOnlySpan<byte> elf, string name, string fileName)
    {
        ArgumentNullException.ThrowIfNull(name);
        BpfObjectException Error(string problem) => new($"{fileName}: {problem}");
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw Error("is not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw Error("is not a 64-bit little-endian ELF file");
        ulong tableOffset = BinaryPrimitives.ReadUInt64LittleEndian(elf[40..]);
        int entrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf[58..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(elf[60..]);
        if (entrySize < 64 || tableOffset > (ulong)elf.Length || (ulong)count * (ulong)entrySize > (ulong)elf.Length - tableOffset)
            throw Error("has a section header table beyond the end of the file");

        var sections = new Section[count];
        for (int i = 0; i < count; i++)
        {
            var header = elf.Slice((int)tableOffset + i * entrySize, 64);
            sections[i] = new Section(
                BinaryPrimitives.ReadUInt32LittleEndian(header[4..]),
                BinaryPrimitives.ReadUInt64LittleEndian(header[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(header[24..]),
                BinaryPrimitives.ReadUInt64LittleEndian(header[32..]),
                BinaryPrimitives.ReadUInt32LittleEndian(header[40..]));
        }

        foreach (uint wanted in (ReadOnlySpan<uint>)[SectionSymbolTable, SectionDynamicSymbols])
        {
            foreach (var table in sections)
            {
                if (table.Type != wanted) continue;
                if (FindIn(elf, sections, table, name) is { } symbol)
                {
                    if (symbol.SectionIndex == 0 || symbol.SectionIndex >= count)
                        throw Error($"function '{name}' is not defined in this file (it is imported)");
                    var home = sections[symbol.SectionIndex];
                    if (symbol.Value < home.Address || symbol.Value - home.Address > home.Size)
                        throw Error($"function '{name}' lies outside its section");
                    return symbol.Value - home.Address + home.Offset;
                }
            }
        }
        throw Error($"has no function named '{name}'");
    }

    private static Symbol? FindIn(ReadOnlySpan<byte> elf, Section[] sections, Section table, string name)
    {
        if (table.Link >= sections.Length) return null;
        var strings = sections[table.Link];
        if (!Inside(elf, table) || !Inside(elf, strings)) return null;
        var symbols = elf.Slice((int)table.Offset, (int)table.Size);
        var names = elf.Slice((int)strings.Offset, (int)strings.Size);
        byte[] wanted = Encoding.UTF8.GetBytes(name);
        for (int at = 0; at + 24 <= symbols.Length; at += 24)
        {
            var entry = symbols.Slice(at, 24);
            byte type = (byte)(entry[4] & 0xf);
            if (type != SymbolFunction && type != SymbolGnuIndirect) continue;
            uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            if (nameOffset >= names.Length) continue;
            var symbolName = names[(int)nameOffset..];
            int end = symbolName.IndexOf((byte)0);
            if (end < 0) continue;
            symbolName = symbolName[..end];
            int version = symbolName.IndexOf((byte)'@');
            if (version >= 0) symbolName = symbolName[..version];
            if (!symbolName.SequenceEqual(wanted)) continue;
            return new Symbol(BinaryPrimitives.ReadUInt16LittleEndian(entry[6..]), BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]));
        }
        return null;
    }

    private static bool Inside(ReadOnlySpan<byte> elf, Section section) =>
        section.Offset <= (ulong)elf.Length && section.Size <= (ulong)elf.Length - section.Offset && section.Size < int.MaxValue;

    private readonly record struct Section(uint Type, ulong Address, ulong Offset, ulong Size, uint Link);

    private readonly record struct Symbol(int SectionIndex, ulong Value);
}
