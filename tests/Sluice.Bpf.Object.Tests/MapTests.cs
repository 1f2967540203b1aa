using Xunit;

namespace Sluice.Bpf.Object.Tests;

public class MapTests
{
    [Theory]
    [InlineData("flows", BpfMapType.Hash, 16u, 8u, 1024u, 0u)]
    [InlineData("array_map", BpfMapType.Array, 4u, 8u, 16u, 0u)]
    [InlineData("percpu_hash", BpfMapType.PerCpuHash, 4u, 4u, 128u, 0u)]
    [InlineData("percpu_array", BpfMapType.PerCpuArray, 4u, 8u, 4u, 0u)]
    [InlineData("lru_hash", BpfMapType.LruHash, 8u, 4u, 256u, 0u)]
    [InlineData("lru_percpu_hash", BpfMapType.LruPerCpuHash, 4u, 8u, 256u, 0u)]
    [InlineData("lpm_trie", BpfMapType.LpmTrie, 8u, 4u, 10000u, 1u)]
    [InlineData("devmap", BpfMapType.DevMap, 4u, 4u, 8u, 0u)]
    [InlineData("devmap_hash", BpfMapType.DevMapHash, 4u, 8u, 8u, 0u)]
    [InlineData("cpumap", BpfMapType.CpuMap, 4u, 8u, 2u, 0u)]
    [InlineData("sockmap", BpfMapType.SockMap, 4u, 4u, 2u, 0u)]
    [InlineData("sockhash", BpfMapType.SockHash, 8u, 8u, 64u, 0u)]
    [InlineData("ringbuf", BpfMapType.RingBuf, 0u, 0u, 4096u, 0u)]
    [InlineData("jump_table", BpfMapType.ProgArray, 4u, 4u, 4u, 0u)]
    [InlineData("inner_a", BpfMapType.Array, 4u, 4u, 2u, 0u)]
    [InlineData("outer_array", BpfMapType.ArrayOfMaps, 4u, 4u, 3u, 0u)]
    [InlineData("outer_hash", BpfMapType.HashOfMaps, 4u, 4u, 5u, 0u)]
    [InlineData("xsks", BpfMapType.XskMap, 4u, 4u, 4u, 0u)]
    [InlineData("queue", BpfMapType.Queue, 0u, 4u, 32u, 0u)]
    [InlineData("stack", BpfMapType.Stack, 0u, 8u, 32u, 0u)]
    [InlineData("bloom", BpfMapType.BloomFilter, 0u, 4u, 100u, 0u)]
    [InlineData("perf_events", BpfMapType.PerfEventArray, 4u, 4u, 0u, 0u)]
    public void Btf_defined_maps_have_exact_shapes(string name, BpfMapType type, uint key, uint value, uint max, uint flags)
    {
        var map = Objects.Read("maps").Map(name);
        Assert.Equal(type, map.Type);
        Assert.Equal(key, map.KeySize);
        Assert.Equal(value, map.ValueSize);
        Assert.Equal(max, map.MaxEntries);
        Assert.Equal(flags, map.Flags);
        Assert.Equal(MapSpecKind.Declared, map.Kind);
        Assert.Equal(name, map.KernelName);
        Assert.Null(map.InitialValue);
    }

    [Fact]
    public void Every_declared_map_is_referenced_by_a_program()
    {
        var spec = Objects.Read("maps");
        var referenced = spec.Programs.SelectMany(p => p.MapReferences).Select(r => r.MapName).ToHashSet();
        Assert.Equal(23, spec.Maps.Count);
        Assert.All(spec.Maps, m => Assert.Contains(m.Name, referenced));
    }

    [Fact]
    public void Key_and_value_btf_ids_name_the_declared_types()
    {
        var spec = Objects.Read("maps");
        var flows = spec.Map("flows");
        Assert.Equal("struct flow_key", spec.Btf!.TypeName(flows.BtfKeyTypeId));
        Assert.Equal("__u64", spec.Btf.TypeName(flows.BtfValueTypeId));
        Assert.Equal("struct bpf_devmap_val", spec.Btf.TypeName(spec.Map("devmap_hash").BtfValueTypeId));
        // key_size/value_size given as numbers leave no BTF type.
        Assert.Equal(0u, spec.Map("devmap").BtfKeyTypeId);
    }

    [Fact]
    public void Pinning_bloom_extra_and_prog_array_values_are_read()
    {
        var spec = Objects.Read("maps");
        Assert.Equal(PinningType.ByName, spec.Map("flows").Pinning);
        Assert.Equal(PinningType.None, spec.Map("array_map").Pinning);
        Assert.Equal(3ul, spec.Map("bloom").MapExtra);
        Assert.Equal([new MapSlot(1, "tail_target")], spec.Map("jump_table").Contents);
        Assert.Null(spec.Map("jump_table").InnerMap);
    }

    [Fact]
    public void Map_in_map_has_inner_shape_and_initial_slots()
    {
        var spec = Objects.Read("maps");
        var outer = spec.Map("outer_array");
        Assert.Equal([new MapSlot(0, "inner_a"), new MapSlot(2, "inner_b")], outer.Contents);
        var inner = Assert.IsType<MapSpec>(outer.InnerMap);
        Assert.Equal(BpfMapType.Array, inner.Type);
        Assert.Equal(4u, inner.KeySize);
        Assert.Equal(4u, inner.ValueSize);
        Assert.Equal(2u, inner.MaxEntries);
        Assert.Empty(spec.Map("outer_hash").Contents);
        Assert.Equal(2u, spec.Map("outer_hash").InnerMap!.MaxEntries);
    }

    [Fact]
    public void Xdp_counter_maps()
    {
        var spec = Objects.Read("xdp_counter");
        Assert.Equal(["protocol_counts", "source_counts"], spec.Maps.Select(m => m.Name).Order());
        var protocols = spec.Map("protocol_counts");
        Assert.Equal((BpfMapType.PerCpuArray, 4u, 8u, 256u), (protocols.Type, protocols.KeySize, protocols.ValueSize, protocols.MaxEntries));
        var sources = spec.Map("source_counts");
        Assert.Equal((BpfMapType.Hash, 4u, 8u, 4096u), (sources.Type, sources.KeySize, sources.ValueSize, sources.MaxEntries));
    }

    [Fact]
    public void Ringbuf_fixture_has_a_ring_buffer_and_a_bss_counter()
    {
        var spec = Objects.Read("ringbuf");
        var events = spec.Map("events");
        Assert.Equal((BpfMapType.RingBuf, 65536u), (events.Type, events.MaxEntries));
        var bss = spec.Map(".bss");
        Assert.Equal([new GlobalVariable("sequence_counter", 0, 8, false)], bss.Variables);
        Assert.Equal(2, spec.Program("xdp_ringbuf").MapReferences.Count(r => r.MapName == "events"));
    }

    [Fact]
    public void Legacy_maps_section_and_version_are_read()
    {
        var spec = Objects.Read("legacy_maps");
        Assert.Equal(["legacy_counts", "legacy_hash"], spec.Maps.Where(m => m.Kind == MapSpecKind.Declared).Select(m => m.Name));
        var counts = spec.Map("legacy_counts");
        Assert.Equal((BpfMapType.Array, 4u, 8u, 8u, 0u), (counts.Type, counts.KeySize, counts.ValueSize, counts.MaxEntries, counts.Flags));
        var hash = spec.Map("legacy_hash");
        Assert.Equal((BpfMapType.Hash, 8u, 4u, 64u, 1u), (hash.Type, hash.KeySize, hash.ValueSize, hash.MaxEntries, hash.Flags));
        Assert.Equal(0x060c00u, spec.KernelVersion);
        Assert.Equal(0x060c00u, spec.Program("legacy_socket").KernelVersion);
        Assert.Equal("Dual BSD/GPL", spec.License);
        Assert.Equal(["legacy_counts", "legacy_hash"], spec.Program("legacy_socket").MapReferences.Select(r => r.MapName));
    }

    [Fact]
    public void Iproute2_map_definitions_honour_global_pinning()
    {
        var spec = Objects.Read("legacy_iproute2");
        var pinned = spec.Map("iproute2_pinned");
        Assert.Equal((BpfMapType.Array, 4u, 8u, 4u, PinningType.ByName), (pinned.Type, pinned.KeySize, pinned.ValueSize, pinned.MaxEntries, pinned.Pinning));
        Assert.Equal(PinningType.None, spec.Map("iproute2_private").Pinning);
        Assert.Equal(16u, spec.Map("iproute2_private").MaxEntries);
    }

    [Theory]
    [InlineData(6, 1u, "PIN_OBJECT_NS")]
    [InlineData(6, 9u, "unknown iproute2 pinning 9")]
    [InlineData(7, 3u, "inner_id (3)")]
    [InlineData(8, 1u, "inner_idx (1)")]
    public void Iproute2_fields_that_cannot_be_honoured_are_refused_by_name(int field, uint value, string expected)
    {
        var elf = new ElfBytes("legacy_iproute2");
        var symbol = elf.Elf.Symbols.Single(s => s.Name == "iproute2_private");
        elf.Write32(elf.SectionData("maps") + (int)symbol.Value + field * 4, value);
        string error = elf.ReadError();
        Assert.StartsWith("x.o: legacy map 'iproute2_private': ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
