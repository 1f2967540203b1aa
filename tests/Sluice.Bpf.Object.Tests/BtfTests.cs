using System.Buffers.Binary;
using Sluice.Bpf.Object.Btf;
using Sluice.Bpf.Object.Elf;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Object.Tests;

public class BtfTests
{
    [Fact]
    public void Types_can_be_found_by_name_and_sized()
    {
        var btf = Objects.Read("maps").Btf!;
        var flowKey = btf.FindType("flow_key", BtfKind.Struct)!;
        Assert.Equal(16u, flowKey.Size);
        Assert.Equal(["source", "destination", "source_port", "destination_port", "protocol", "padding"], flowKey.Members.Select(m => m.Name));
        Assert.Equal([0u, 32u, 64u, 80u, 96u, 104u], flowKey.Members.Select(m => m.BitOffset));
        Assert.Equal("__u8[3]", btf.TypeName(flowKey.Members[5].TypeId));
        Assert.Equal(3u, btf.SizeOf(flowKey.Members[5].TypeId));
        var u32 = btf.FindType("__u32", BtfKind.Typedef)!;
        Assert.Equal(4u, btf.SizeOf(u32.Id));
        Assert.Equal(BtfKind.Int, btf.SkipQualifiers(u32.Id)!.Kind);
        Assert.Equal("struct flow_key", btf.TypeName(flowKey.Id));
        Assert.Null(btf.FindType("no_such_type"));
        Assert.Null(btf.TypeById(1_000_000));
        Assert.Throws<BpfObjectException>(() => btf.SizeOf(btf.FindType("use_maps", BtfKind.Function)!.Id));
    }

    [Fact]
    public void Functions_have_prototypes_with_named_parameters()
    {
        var btf = Objects.Read("globals").Btf!;
        var shouldDrop = btf.FindType("should_drop", BtfKind.Function)!;
        Assert.Equal(1u, shouldDrop.Linkage); // global
        Assert.Equal(0u, btf.FindType("count_packet", BtfKind.Function)!.Linkage); // static
        var prototype = btf.TypeById(shouldDrop.ReferencedTypeId)!;
        Assert.Equal(BtfKind.FunctionProto, prototype.Kind);
        Assert.Equal("protocol", Assert.Single(prototype.Parameters).Name);
        Assert.Equal("int (*)(__u32)", btf.TypeName(prototype.Id));
    }

    [Fact]
    public void Enums_and_const_volatile_knobs_parse()
    {
        var btf = Objects.Read("tc_mark").Btf!;
        var knob = btf.FindType("mark_value", BtfKind.Variable)!;
        Assert.Equal("const volatile __u32", btf.TypeName(knob.ReferencedTypeId));
        Assert.Equal(4u, btf.SizeOf(knob.Id));
        var verdict = Objects.Read("btf_kinds").Btf!.FindType("verdict", BtfKind.Enum)!;
        // clang 14 emits enums unsigned (no kind_flag), so -1 reads back as 0xffffffff.
        Assert.Equal([new BtfEnumValue("VERDICT_PASS", 2), new BtfEnumValue("VERDICT_DROP", 0xffffffff)], verdict.EnumValues);
    }

    [Fact]
    public void Datasec_sizes_and_offsets_are_fixed_up_in_types_and_raw_data()
    {
        var spec = Objects.Read("globals");
        var original = BtfParser.Parse(OriginalBtf("globals"), "globals");
        Assert.Equal(0u, original.FindType(".rodata", BtfKind.DataSection)!.Size); // clang leaves it 0
        Assert.All(original.FindType(".rodata", BtfKind.DataSection)!.Variables, v => Assert.Equal(0u, v.Offset));

        var reparsed = BtfParser.Parse(spec.Btf!.RawData, "globals");
        foreach (var btf in new[] { spec.Btf, reparsed })
        {
            var rodata = btf.FindType(".rodata", BtfKind.DataSection)!;
            Assert.Equal(17u, rodata.Size);
            Assert.Equal([0u, 8u, 16u], rodata.Variables.Select(v => v.Offset));
            Assert.Equal(24u, btf.FindType(".bss", BtfKind.DataSection)!.Size);
            Assert.Equal([0u, 8u], btf.FindType(".bss", BtfKind.DataSection)!.Variables.Select(v => v.Offset));
            Assert.Equal(16u, btf.FindType(".data.stats", BtfKind.DataSection)!.Size);
            var maps = Objects.Read("maps").Btf!.FindType(".maps", BtfKind.DataSection)!;
            Assert.True(maps.Size > 0);
            var offsets = maps.Variables.Select(v => v.Offset).ToList();
            Assert.Equal(offsets.Order().ToList(), offsets);
        }
        Assert.Equal(spec.Btf.Types.Count, reparsed.Types.Count);
    }

    [Fact]
    public void Raw_data_keeps_the_kernel_layout()
    {
        var raw = Objects.Read("globals").Btf!.RawData;
        Assert.Equal(0xeb9f, BinaryPrimitives.ReadUInt16LittleEndian(raw));
        Assert.Equal(1, raw[2]);
        uint headerLength = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(4));
        uint stringOffset = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(16));
        uint stringLength = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(20));
        Assert.Equal(raw.Length, (int)(headerLength + stringOffset + stringLength));
        Assert.Equal(OriginalBtf("globals").Length, raw.Length);
    }

    [Fact]
    public void Fixed_up_btf_keeps_every_type_and_sizes_every_struct()
    {
        // The fix-ups change data-section sizes and offsets only (bpftool checks the parse itself, see
        // BtfBpftoolCrossCheckTests): the blob handed to the kernel still has every type, each struct sized as declared.
        foreach (var fixture in Objects.AllFixtures)
        {
            var spec = Objects.Read(fixture);
            var original = BtfParser.Parse(OriginalBtf(fixture), fixture);
            var reparsed = BtfParser.Parse(spec.Btf!.RawData, fixture);
            Assert.Equal(original.Types.Select(t => (t.Kind, t.Name)), reparsed.Types.Select(t => (t.Kind, t.Name)));
            foreach (var type in original.Types.Where(t => t.Kind is BtfKind.Struct or BtfKind.Union))
                Assert.Equal(type.Size, reparsed.SizeOf(type.Id));
        }
    }

    [Fact]
    public void Datasec_names_outside_the_identifier_set_are_sanitised()
    {
        var bytes = Fixture.Bytes("globals");
        var elf = new ElfFile(bytes, "globals.bpf.o");
        var btfSection = elf.FindSection(".BTF")!;
        var btf = BtfParser.Parse(elf.Data(btfSection), "globals");
        // Rename ".data.stats" to ".data/stat" inside a copy of the blob, then apply the fix-ups.
        var stats = btf.FindType(".data.stats", BtfKind.DataSection)!;
        uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(btf.RawData.AsSpan(btf.TypesOffset + stats.RecordOffset));
        btf.RawData[btf.StringsOffset + (int)nameOffset + 5] = (byte)'/';
        BtfFixups.Apply(btf, elf);
        Assert.Equal(".data_stats", btf.StringAt(nameOffset));
    }

    [Fact]
    public void Unions_bitfields_tags_and_function_pointers_parse()
    {
        var btf = Objects.Read("btf_kinds").Btf!;
        var flags = btf.FindType("flags", BtfKind.Struct)!;
        Assert.True(flags.KindFlag);
        Assert.Equal([(0u, 1u), (1u, 3u), (4u, 28u)], flags.Members.Select(m => (m.BitOffset, m.BitfieldSize)));
        var address = btf.FindType("address", BtfKind.Union)!;
        Assert.Equal(16u, btf.SizeOf(address.Id));
        Assert.Equal("__u8[16]", btf.TypeName(address.Members[1].TypeId));
        var tag = btf.FindType("counter", BtfKind.DeclarationTag)!;
        Assert.Equal(4, tag.ComponentIndex);
        Assert.Equal("struct record", btf.TypeName(tag.ReferencedTypeId));
        var record = btf.FindType("record", BtfKind.Struct)!;
        Assert.Equal(56u, btf.SizeOf(record.Id));
        Assert.Equal("int __tag(user) *", btf.TypeName(record.Members[5].TypeId));
        Assert.Equal("int (*)(int) *", btf.TypeName(record.Members[6].TypeId));
        Assert.Equal(8u, btf.SizeOf(record.Members[6].TypeId));
        Assert.Equal(112u, btf.SizeOf(btf.FindType("records", BtfKind.Variable)!.Id));
        Assert.Equal("volatile counter_t", btf.TypeName(btf.FindType("loops", BtfKind.Variable)!.ReferencedTypeId));
    }

    [Fact]
    public void Hand_built_blob_with_float_enum64_restrict_and_forward_parses()
    {
        var builder = new BtfBuilder();
        uint longType = builder.Int("long", 8, signed: true);
        uint floatType = builder.Add("double", BtfKind.Float, 0, 8);
        uint restrictType = builder.Add("", BtfKind.Restrict, 0, longType);
        uint forwardType = builder.Add("later", BtfKind.Forward, 0, 0, kindFlag: true);
        uint enum64 = builder.Enum64("big", signed: true, ("MINUS_ONE", -1), ("HUGE", long.MaxValue));
        var btf = BtfParser.Parse(builder.Build(), "built");
        Assert.Equal(8u, btf.SizeOf(floatType));
        Assert.Equal(8u, btf.SizeOf(restrictType));
        Assert.Equal("long restrict", btf.TypeName(restrictType));
        Assert.Equal("union later", btf.TypeName(forwardType));
        Assert.Throws<BpfObjectException>(() => btf.SizeOf(forwardType));
        Assert.Equal([new BtfEnumValue("MINUS_ONE", -1), new BtfEnumValue("HUGE", long.MaxValue)], btf.TypeById(enum64)!.EnumValues);
        Assert.Equal(8u, btf.SizeOf(enum64));
    }

    [Fact]
    public void Self_referencing_typedef_chain_is_an_error_not_a_hang()
    {
        var builder = new BtfBuilder();
        uint loop = builder.Add("loop", BtfKind.Typedef, 0, 1); // typedef loop loop;
        uint constLoop = builder.Add("", BtfKind.Const, 0, 2); // const of itself
        var btf = BtfParser.Parse(builder.Build(), "built");
        Assert.Throws<BpfObjectException>(() => btf.SizeOf(loop));
        Assert.Null(btf.SkipQualifiers(loop));
        Assert.EndsWith("...", btf.TypeName(constLoop));
    }

    [Fact]
    public void Hidden_globals_become_static_variables_and_their_section_is_not_mmapable()
    {
        var spec = Objects.Read("btf_kinds");
        Assert.Equal(0u, spec.Btf!.FindType("hidden_counter", BtfKind.Variable)!.Linkage);
        Assert.Equal(1u, spec.Btf.FindType("records", BtfKind.Variable)!.Linkage);
        var reparsed = BtfParser.Parse(spec.Btf.RawData, "btf_kinds");
        Assert.Equal(0u, reparsed.FindType("hidden_counter", BtfKind.Variable)!.Linkage);
        Assert.Equal(0u, spec.Map(".data.hidden").Flags);
        Assert.Equal(0x400u, spec.Map(".bss").Flags);
        Assert.Equal(5u, BitConverter.ToUInt32(spec.Map(".data.hidden").InitialValue!));
    }

    private static byte[] OriginalBtf(string fixture)
    {
        var bytes = Fixture.Bytes(fixture);
        var elf = new ElfFile(bytes, fixture);
        return elf.Data(elf.FindSection(".BTF")!).ToArray();
    }
}
