using Xunit;

namespace Sluice.Bpf.Object.Tests;

public class GlobalDataTests
{
    [Fact]
    public void Global_data_sections_become_one_entry_arrays()
    {
        var spec = Objects.Read("globals");
        Assert.Equal([".rodata", ".data", ".data.stats", ".bss"], spec.Maps.Select(m => m.Name));
        foreach (var map in spec.Maps)
        {
            Assert.Equal(MapSpecKind.GlobalData, map.Kind);
            Assert.Equal(BpfMapType.Array, map.Type);
            Assert.Equal(4u, map.KeySize);
            Assert.Equal(1u, map.MaxEntries);
            Assert.Equal((int)map.ValueSize, map.InitialValue!.Length);
            Assert.NotEqual(0u, map.BtfDatasecTypeId);
            Assert.Equal(BtfKind.DataSection, spec.Btf!.TypeById(map.BtfDatasecTypeId)!.Kind);
            Assert.Equal(map.Name, spec.Btf.TypeById(map.BtfDatasecTypeId)!.Name);
        }
    }

    [Fact]
    public void Rodata_is_frozen_read_only_and_holds_the_knob_defaults()
    {
        var rodata = Objects.Read("globals").Map(".rodata");
        Assert.True(rodata.Freeze);
        Assert.Equal(0x80u, rodata.Flags & 0x80u);
        Assert.Equal(17u, rodata.ValueSize);
        Assert.Equal(17u, BitConverter.ToUInt32(rodata.InitialValue!, 0));    // drop_protocol
        Assert.Equal(1000ul, BitConverter.ToUInt64(rodata.InitialValue!, 8)); // packet_limit
        Assert.Equal(0, rodata.InitialValue![16]);                              // verbose
        Assert.Equal(
            [new GlobalVariable("drop_protocol", 0, 4, true), new GlobalVariable("packet_limit", 8, 8, true), new GlobalVariable("verbose", 16, 1, true)],
            rodata.Variables);
    }

    [Fact]
    public void Data_bss_and_custom_sections_are_writable_with_their_bytes()
    {
        var spec = Objects.Read("globals");
        var data = spec.Map(".data");
        Assert.False(data.Freeze);
        Assert.Equal(0u, data.Flags & 0x80u);
        Assert.Equal(12u, data.ValueSize);
        Assert.Equal(1ul, BitConverter.ToUInt64(data.InitialValue!, 0));
        Assert.Equal(7u, BitConverter.ToUInt32(data.InitialValue!, 8));
        Assert.Equal([new GlobalVariable("seen_packets", 0, 8, false), new GlobalVariable("last_length", 8, 4, false)], data.Variables);

        var bss = spec.Map(".bss");
        Assert.Equal(24u, bss.ValueSize);
        Assert.All(bss.InitialValue!, b => Assert.Equal(0, b));
        Assert.Equal([new GlobalVariable("bss_counter", 0, 8, false), new GlobalVariable("bss_flags", 8, 16, false)], bss.Variables);

        var stats = spec.Map(".data.stats");
        Assert.Equal(0x1111ul, BitConverter.ToUInt64(stats.InitialValue!, 0));
        Assert.Equal(0x2222ul, BitConverter.ToUInt64(stats.InitialValue!, 8));
    }

    [Fact]
    public void Kernel_names_follow_libbpf()
    {
        var spec = Objects.Read("globals");
        Assert.Equal("globals.rodata", spec.Map(".rodata").KernelName);
        Assert.Equal("globals.data", spec.Map(".data").KernelName);
        Assert.Equal("globals.bss", spec.Map(".bss").KernelName);
        Assert.Equal(".data.stats", spec.Map(".data.stats").KernelName);
        Assert.Equal("xdp_coun.rodata", Maps.GlobalDataMaps.KernelMapName("xdp_counter", ".rodata"));
        Assert.Equal("xdp_coun.bss", Maps.GlobalDataMaps.KernelMapName("xdp_counter", ".bss"));
        Assert.Equal(".rodata.very_lo", Maps.GlobalDataMaps.KernelMapName("x", ".rodata.very_long_name"));
        Assert.Equal("my_obj.data", Maps.GlobalDataMaps.KernelMapName("my-obj", ".data"));
    }

    [Fact]
    public void SetGlobal_writes_the_initial_value()
    {
        var spec = Objects.Read("globals").Clone();
        spec.SetGlobal("packet_limit", 5000ul);
        spec.SetGlobal("drop_protocol", 6u);
        spec.SetGlobal("verbose", (byte)1);
        spec.SetGlobal("last_length", 99u);
        var rodata = spec.Map(".rodata").InitialValue!;
        Assert.Equal(6u, BitConverter.ToUInt32(rodata, 0));
        Assert.Equal(5000ul, BitConverter.ToUInt64(rodata, 8));
        Assert.Equal(1, rodata[16]);
        Assert.Equal(99u, BitConverter.ToUInt32(spec.Map(".data").InitialValue!, 8));
        // The cached original is untouched.
        Assert.Equal(1000ul, BitConverter.ToUInt64(Objects.Read("globals").Map(".rodata").InitialValue!, 8));
    }

    [Fact]
    public void SetGlobal_rejects_wrong_sizes_and_unknown_names()
    {
        var spec = Objects.Read("globals").Clone();
        var wrongSize = Assert.Throws<ArgumentException>(() => spec.SetGlobal("packet_limit", 1u));
        Assert.Contains("8 bytes", wrongSize.Message);
        Assert.Throws<KeyNotFoundException>(() => spec.SetGlobal("no_such_knob", 1u));
    }

    [Fact]
    public void Tc_mark_knobs()
    {
        var spec = Objects.Read("tc_mark").Clone();
        var rodata = spec.Map(".rodata");
        Assert.Equal(["mark_value", "priority_value", "drop_all"], rodata.Variables.Select(v => v.Name));
        Assert.Equal(0x5au, BitConverter.ToUInt32(rodata.InitialValue!, 0));
        spec.SetGlobal("drop_all", (byte)1);
        Assert.Equal(1, rodata.InitialValue![8]);
        var program = spec.Program("tc_mark");
        Assert.Equal(BpfProgramType.SchedCls, program.Type);
        Assert.All(program.MapReferences, r => Assert.Equal(".rodata", r.MapName));
    }

    [Fact]
    public void Without_btf_variables_come_from_symbols_and_debug_info_is_empty()
    {
        // Rename .BTF and .BTF.ext (in the section name table) so the reader sees an object built without -g.
        var elf = new ElfBytes("globals");
        int table = (int)elf.Elf.Sections.First(s => s.Type == Elf.ElfConstants.SectionStringTable && s.Name == ".strtab").Offset;
        var span = elf.Bytes.AsSpan(table, (int)elf.Elf.Sections.First(s => s.Name == ".strtab").Size);
        for (int i = span.IndexOf(".BTF"u8); i >= 0; i = span.IndexOf(".BTF"u8))
            span[i + 1] = (byte)'X';

        var spec = ObjectReader.Read(elf.Bytes, "globals.bpf.o");
        Assert.Null(spec.Btf);
        Assert.All(spec.Programs, p => Assert.Empty(p.FuncInfos));
        var rodata = spec.Map(".rodata");
        Assert.Equal(0u, rodata.BtfDatasecTypeId);
        Assert.Equal(0x80u, rodata.Flags); // no BTF linkage information, so not mmapable
        Assert.Equal(["drop_protocol", "packet_limit", "verbose"], rodata.Variables.OrderBy(v => v.Offset).Select(v => v.Name));
        Assert.Equal(Objects.Read("globals").Program("xdp_globals").Instructions, spec.Program("xdp_globals").Instructions);
    }
}
