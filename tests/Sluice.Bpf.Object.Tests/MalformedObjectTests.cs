using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Object.Tests;

public class MalformedObjectTests
{
    private static string Error(byte[] bytes, string name = "x.o") =>
        Assert.Throws<BpfObjectException>(() => ObjectReader.Read(bytes, name)).Message;

    [Fact]
    public void Empty_file() => Assert.Equal("x.o: not an ELF file (it is empty)", Error([]));

    [Fact]
    public void Truncated_header() =>
        Assert.Equal("x.o: truncated ELF header (20 bytes, need 64)", Error(Fixture.Bytes("minimal")[..20]));

    [Fact]
    public void Wrong_magic()
    {
        var bytes = Fixture.Bytes("minimal");
        bytes[1] = (byte)'X';
        Assert.Equal("x.o: not an ELF file", Error(bytes));
        Assert.Equal("x.o: not an ELF file", Error("#!/bin/sh\n"u8.ToArray()));
    }

    [Fact]
    public void Thirty_two_bit()
    {
        var bytes = Fixture.Bytes("minimal");
        bytes[4] = 1;
        Assert.Equal("x.o: ELF class is 32-bit, expected 64-bit", Error(bytes));
    }

    [Fact]
    public void Big_endian()
    {
        var bytes = Fixture.Bytes("minimal");
        bytes[5] = 2;
        Assert.Equal("x.o: ELF data encoding is big-endian, expected little-endian", Error(bytes));
    }

    [Fact]
    public void Wrong_machine() =>
        Assert.Equal("x.o: ELF machine is x86-64 (62), expected BPF (247)", new ElfBytes("minimal").Write16(18, 62).ReadError());

    [Fact]
    public void Not_relocatable() =>
        Assert.Contains("expected a relocatable object", new ElfBytes("minimal").Write16(16, 2).ReadError());

    [Fact]
    public void Section_header_table_beyond_end_of_file()
    {
        var elf = new ElfBytes("minimal");
        Assert.StartsWith("x.o: section header table at 0x", elf.Write64(40, (ulong)elf.Bytes.Length + 8).ReadError());
        var many = new ElfBytes("minimal");
        Assert.Contains("entries is beyond end of file", many.Write16(60, 0xfff0).ReadError());
    }

    [Fact]
    public void Section_offset_or_size_beyond_end_of_file()
    {
        var elf = new ElfBytes("globals");
        int header = elf.SectionHeader(".text");
        int index = elf.Elf.FindSection(".text")!.Index;
        elf.Write64(header + 24, 0x100000);
        Assert.Equal($"x.o: section {index} '.text' offset 0x100000 + size 272 is beyond end of file ({elf.Bytes.Length} bytes)", elf.ReadError());

        var huge = new ElfBytes("globals");
        huge.Write64(huge.SectionHeader("xdp") + 32, ulong.MaxValue);
        Assert.Contains("'xdp' offset 0x", huge.ReadError());
        Assert.Contains("+ size 18446744073709551615 is beyond end of file", huge.ReadError());
    }

    [Fact]
    public void Bad_section_name_string_table_index()
    {
        Assert.Equal("x.o: section name string table index 999 is out of range (file has 36 sections)",
            new ElfBytes("globals").Write16(62, 999).ReadError());
        // Pointing it at a section that is not a string table.
        var elf = new ElfBytes("globals");
        Assert.Contains("expected a string table", elf.Write16(62, (ushort)elf.Elf.FindSection(".text")!.Index).ReadError());
    }

    [Fact]
    public void Section_name_offset_beyond_string_table()
    {
        var elf = new ElfBytes("globals");
        Assert.Contains("name of section", elf.Write32(elf.SectionHeader("xdp"), 0xffffff).ReadError());
    }

    [Fact]
    public void Symbol_index_out_of_range_in_a_relocation()
    {
        var elf = new ElfBytes("globals");
        int symbols = elf.Elf.Symbols.Count;
        int relocations = elf.SectionData(".relxdp");
        elf.Write32(relocations + 12, 9999); // high half of r_info: the symbol index
        Assert.Equal($"x.o: relocation in 'xdp' points at symbol 9999 but the symbol table has {symbols}", elf.ReadError());
    }

    [Fact]
    public void Relocation_offset_beyond_the_section()
    {
        var elf = new ElfBytes("globals");
        elf.Write64(elf.SectionData(".relxdp"), 0x10000);
        Assert.Equal($"x.o: relocation in 'xdp' at offset 0x10000 is beyond the section ({elf.Elf.FindSection("xdp")!.Size} bytes)", elf.ReadError());
    }

    [Fact]
    public void Relocation_to_an_undefined_symbol_names_program_and_symbol()
    {
        var elf = new ElfBytes("globals");
        int relocations = elf.SectionData(".relsocket");
        elf.Write32(relocations + 12, 0); // symbol 0: the undefined null symbol
        Assert.Equal("x.o: program 'socket_globals' (in 'socket') uses extern symbol '', which the object's BTF does not declare in .kconfig or .ksyms (declare it __kconfig or __ksym)",
            elf.ReadError());
    }

    [Fact]
    public void Relocation_to_a_non_data_section_names_program_and_symbol()
    {
        var elf = new ElfBytes("globals");
        var license = elf.Elf.Symbols.First(s => s.Name == "LICENSE");
        elf.Write32(elf.SectionData(".relsocket") + 12, (uint)license.Index);
        Assert.Equal("x.o: program 'socket_globals' (in 'socket') refers to symbol 'LICENSE' in section 'license', which is neither a map nor global data",
            elf.ReadError());
    }

    [Fact]
    public void Call_into_the_middle_of_a_function()
    {
        var elf = new ElfBytes("globals");
        // xdp_globals' first call (instruction 4 of 'xdp') targets .text + imm; nudge the immediate by one.
        int call = elf.SectionData("xdp") + 4 * 8 + 4;
        elf.Write32(call, 17);
        Assert.Contains("which is not the start of a function", elf.ReadError());
    }

    [Fact]
    public void Corrupt_btf_header()
    {
        var elf = new ElfBytes("globals");
        elf.Write16(elf.SectionData(".BTF"), 0x1234);
        Assert.Equal("x.o: BTF: bad magic 0x1234, expected 0xeb9f", elf.ReadError());

        var length = new ElfBytes("globals");
        length.Write32(length.SectionData(".BTF") + 12, 0x7fffffff); // type_len
        Assert.StartsWith("x.o: BTF: type section 0 + 2147483647 is beyond the blob", length.ReadError());

        var header = new ElfBytes("globals");
        header.Write32(header.SectionData(".BTF") + 4, 3); // hdr_len
        Assert.StartsWith("x.o: BTF: header length 3", header.ReadError());
    }

    [Fact]
    public void Corrupt_btf_type_records()
    {
        var elf = new ElfBytes("globals");
        int types = elf.SectionData(".BTF") + 24;
        // Type 1's info word: make it a struct with 0xffff members.
        elf.Write32(types + 4, (4u << 24) | 0xffff);
        Assert.Matches(@"^x\.o: BTF: type 1 \(Struct, vlen 65535\) at offset 0 needs 786420 more bytes", elf.ReadError());

        var kind = new ElfBytes("globals");
        kind.Write32(kind.SectionData(".BTF") + 24 + 4, 31u << 24);
        Assert.Equal("x.o: BTF: type 1 has unknown kind 31", kind.ReadError());
    }

    [Fact]
    public void Btf_string_offset_beyond_the_string_section()
    {
        var elf = new ElfBytes("globals");
        elf.Write32(elf.SectionData(".BTF") + 24, 0x7fffff00); // type 1's name_off
        Assert.Matches(@"^x\.o: BTF: type 1 \(\w+\) name offset 2147483392 is beyond the string section", elf.ReadError());
    }

    [Fact]
    public void Btf_ext_garbage()
    {
        var elf = new ElfBytes("globals");
        int ext = elf.SectionData(".BTF.ext");
        var section = elf.Elf.FindSection(".BTF.ext")!;
        var random = new Random(7);
        random.NextBytes(elf.Bytes.AsSpan(ext, (int)section.Size));
        Assert.StartsWith("x.o: BTF.ext: ", elf.ReadError());

        var records = new ElfBytes("globals");
        int funcInfo = records.SectionData(".BTF.ext") + records.Bytes[records.SectionData(".BTF.ext") + 4]; // after the header
        records.Write32(funcInfo, 3);
        Assert.Equal("x.o: BTF.ext: func_info record size 3 is invalid (minimum 8)", records.ReadError());

        var counts = new ElfBytes("globals");
        int firstSection = counts.SectionData(".BTF.ext") + counts.Bytes[counts.SectionData(".BTF.ext") + 4] + 4;
        counts.Write32(firstSection + 4, 0x10000000); // first section's num_info
        Assert.Contains("records of 8 bytes, beyond the end", counts.ReadError());
    }

    [Fact]
    public void Reading_a_missing_file_is_an_io_error() =>
        Assert.ThrowsAny<IOException>(() => ObjectReader.Read("/nonexistent/x.bpf.o"));

    [Fact]
    public void Read_from_a_path_uses_the_file_name_in_messages()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sluice-{Guid.NewGuid():N}.bpf.o");
        File.WriteAllBytes(path, [1, 2, 3]);
        try
        {
            var error = Assert.Throws<BpfObjectException>(() => ObjectReader.Read(path));
            Assert.Equal($"{Path.GetFileName(path)}: not an ELF file", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Map_key_without_a_size_names_the_map_and_field()
    {
        var elf = new ElfBytes("maps");
        int blob = elf.SectionData(".BTF");
        var btf = Btf.BtfParser.Parse(elf.Elf.Data(elf.Elf.FindSection(".BTF")!), "maps");
        var definition = btf.SkipQualifiers(btf.FindType("flows", BtfKind.Variable)!.ReferencedTypeId)!;
        var keyPointer = btf.TypeById(definition.Members.Single(m => m.Name == "key").TypeId)!;
        uint function = btf.FindType("use_maps", BtfKind.Function)!.Id;
        elf.Write32(blob + btf.TypesOffset + keyPointer.RecordOffset + 8, function); // the pointer now points at a FUNC
        Assert.Matches(@"^x\.o: map '\w+': key: BTF type \d+ \(func use_maps\) has no size$", elf.ReadError());
    }

    [Fact]
    public void Map_definition_with_an_unknown_field_is_rejected()
    {
        var elf = new ElfBytes("maps");
        var strings = elf.Elf.FindSection(".BTF")!;
        var span = elf.Bytes.AsSpan((int)strings.Offset, (int)strings.Size);
        int at = span.IndexOf("\0max_entries\0"u8);
        span[at + 1] = (byte)'n'; // "nax_entries"
        Assert.Matches(@"^x\.o: map '\w+': unknown field 'nax_entries'$", elf.ReadError());
    }
}
