using Sluice.Bpf.Object;
using Sluice.Bpf.Tests.Programs;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Info;

public class InfoTests
{
    [Fact]
    public void Map_info_reports_what_was_created()
    {
        Requires.Root();
        using var map = BpfMap.Create(new MapSpec { Name = "t_info_map", Type = BpfMapType.LpmTrie, KeySize = 8, ValueSize = 12, MaxEntries = 99, Flags = 1 });
        var info = map.GetInfo();
        Assert.True(info.Id > 0);
        Assert.Equal("t_info_map", info.Name);
        Assert.Equal(BpfMapType.LpmTrie, info.Type);
        Assert.Equal(8u, info.KeySize);
        Assert.Equal(12u, info.ValueSize);
        Assert.Equal(99u, info.MaxEntries);
        Assert.Equal(1u, info.Flags);
        Assert.False(info.IsFrozen);
    }

    [Fact]
    public void Frozen_maps_report_frozen()
    {
        Requires.Root();
        using var map = BpfArrayMap<uint>.Create("t_info_frozen", 1);
        map.Map.Freeze();
        Assert.True(map.Map.GetInfo().IsFrozen);
        Assert.Equal("EPERM", Assert.Throws<BpfException>(() => map[0] = 1).ErrnoName);
    }

    [Fact]
    public void Enumeration_finds_a_new_map_with_its_info()
    {
        Requires.Root();
        using var map = BpfHashMap<uint, uint>.Create("t_info_enum", 17);
        uint id = map.Map.GetInfo().Id;
        Assert.Contains(id, BpfMapInfo.AllIds());
        var found = Assert.Single(BpfMapInfo.All(), m => m.Id == id);
        Assert.Equal("t_info_enum", found.Name);
        Assert.Equal(17u, found.MaxEntries);
        Assert.Equal(found, BpfMapInfo.FromId(id));

        map.Dispose();
        // Freed asynchronously by the kernel: wait for the id to disappear.
        Assert.True(Wait.Until(() => BpfMapInfo.FromId(id) is null), $"map {id} was never freed");
    }

    [Fact]
    public void Program_info_has_identity_maps_and_sizes()
    {
        Requires.Root();
        using var counters = BpfArrayMap<ulong>.Create("t_info_cnt", 1);
        var spec = Asm.Program("t_info_prog", BpfProgramType.Xdp, "GPL",
        [
            // r2 = &key (0) on the stack; r1 = map; call bpf_map_lookup_elem; return XDP_PASS.
            Asm.StoreWordImm(Asm.R10, -4, 0),
            Asm.MovReg(Asm.R2, Asm.R10),
            Asm.AddImm(Asm.R2, -4),
            .. Asm.LoadImm64(Asm.R1),
            Asm.Call(1),
            Asm.MovImm(Asm.R0, 2),
            Asm.Exit(),
        ]);
        spec.MapReferences.Add(new MapReference(3, "counters", MapReferenceKind.Map, 0));
        var before = DateTimeOffset.UtcNow;
        using var program = BpfProgram.Load(spec, new Dictionary<string, BpfMap> { ["counters"] = counters.Map });

        var info = BpfProgramInfo.FromFd(program.Fd);
        Assert.Equal(program.Id, info.Id);
        Assert.Equal(BpfProgramType.Xdp, info.Type);
        Assert.Equal("t_info_prog", info.Name);
        Assert.Matches("^[0-9a-f]{16}$", info.Tag);
        Assert.Equal(program.Tag, info.Tag);
        Assert.Equal([counters.Map.GetInfo().Id], info.MapIds);
        // The verifier inlines the array lookup, so the translated program is at least the 8 instructions we wrote.
        Assert.True(info.XlatedSize >= 8 * 8 && info.XlatedSize % 8 == 0, $"xlated {info.XlatedSize}");
        Assert.True(info.GplCompatible);
        Assert.True(info.VerifiedInstructions > 0);
        Assert.Equal(0u, info.CreatedByUid);
        Assert.InRange(info.LoadTime, before.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));

        var listed = Assert.Single(BpfProgramInfo.All(), p => p.Id == info.Id);
        Assert.Equal(info.Tag, listed.Tag);
        Assert.Equal(info.Name, BpfProgramInfo.FromId(info.Id)!.Name);
    }

    [Fact]
    public void Run_statistics_count_test_runs_while_enabled()
    {
        Requires.Root();
        using var program = BpfProgram.Load(Asm.Program("t_info_stats", BpfProgramType.Xdp, "GPL", Asm.MovImm(Asm.R0, 2), Asm.Exit()));
        var packet = new byte[64];
        program.TestRun(packet, repeat: 5);
        ulong before = BpfProgramInfo.FromFd(program.Fd).RunCount;
        using (BpfStatistics.EnableRunTime())
        {
            program.TestRun(packet, repeat: 100);
        }
        var after = BpfProgramInfo.FromFd(program.Fd);
        Assert.True(after.RunCount >= before + 100, $"run count {before} -> {after.RunCount}");
        Assert.True(after.RunTimeNanoseconds > 0);
    }
}
