using System.Buffers.Binary;
using Sluice.Bpf.Object.Elf;
using Sluice.Tests;

namespace Sluice.Bpf.Object.Tests;

/// <summary>Locates and patches ELF structures inside a copy of a fixture, to build malformed objects.</summary>
internal sealed class ElfBytes
{
    public byte[] Bytes { get; }
    public ElfFile Elf { get; }

    public ElfBytes(string fixture)
    {
        Bytes = Fixture.Bytes(fixture);
        Elf = new ElfFile(Bytes.ToArray(), fixture + ".bpf.o");
    }

    public ulong SectionTableOffset => BinaryPrimitives.ReadUInt64LittleEndian(Bytes.AsSpan(40));

    /// <summary>Byte offset of section <paramref name="name"/>'s header.</summary>
    public int SectionHeader(string name) => (int)SectionTableOffset + Elf.FindSection(name)!.Index * 64;

    public int SectionData(string name) => (int)Elf.FindSection(name)!.Offset;

    public ElfBytes Write16(int at, ushort value) { BinaryPrimitives.WriteUInt16LittleEndian(Bytes.AsSpan(at), value); return this; }
    public ElfBytes Write32(int at, uint value) { BinaryPrimitives.WriteUInt32LittleEndian(Bytes.AsSpan(at), value); return this; }
    public ElfBytes Write64(int at, ulong value) { BinaryPrimitives.WriteUInt64LittleEndian(Bytes.AsSpan(at), value); return this; }

    public string ReadError(string name = "x.o")
    {
        var bytes = Bytes;
        var error = Xunit.Assert.Throws<BpfObjectException>(() => ObjectReader.Read(bytes, name));
        return error.Message;
    }
}
