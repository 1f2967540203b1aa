using Xunit;

namespace Sluice.Bpf.Object.Tests;

/// <summary>How the reader describes .kconfig and .ksyms externs (externs.bpf.c) for the loader.</summary>
public sealed class ExternTests
{
    [Fact]
    public void Externs_are_classified_with_weakness_and_kconfig_layout()
    {
        var spec = Objects.Read("externs");
        var externs = spec.Externs.ToDictionary(e => e.Name);
        Assert.Equal(ExternKind.Kconfig, externs["LINUX_KERNEL_VERSION"].Kind);
        Assert.False(externs["CONFIG_HZ"].IsWeak);
        Assert.True(externs["CONFIG_SLUICE_NOT_A_REAL_OPTION"].IsWeak);
        Assert.Equal(16u, externs["CONFIG_LOCALVERSION"].Size);
        Assert.Equal(ExternKind.TypelessSymbol, externs["bpf_prog_put"].Kind);
        Assert.Equal(ExternKind.KernelFunction, externs["bpf_rcu_read_lock"].Kind);
        Assert.True(externs["bpf_sluice_no_such_kfunc"].IsWeak);

        // Kconfig values do not overlap, are aligned to their size, and fit the ".kconfig" map.
        var kconfig = spec.Map(".kconfig");
        var values = spec.Externs.Where(e => e.Kind == ExternKind.Kconfig).OrderBy(e => e.Offset).ToList();
        for (int i = 1; i < values.Count; i++) Assert.True(values[i].Offset >= values[i - 1].Offset + values[i - 1].Size);
        Assert.All(values.Where(v => v.Size is 2 or 4 or 8), v => Assert.Equal(0u, v.Offset % v.Size));
        // libbpf's order (cmp_externs): alignment descending, then size ascending, then name.
        Assert.Equal(["CONFIG_BPF_JIT", "CONFIG_HZ", "CONFIG_SLUICE_NOT_A_REAL_OPTION", "LINUX_KERNEL_VERSION",
                "CONFIG_BPF_SYSCALL", "LINUX_HAS_BPF_COOKIE", "LINUX_HAS_SYSCALL_WRAPPER", "CONFIG_LOCALVERSION"],
            values.Select(v => v.Name));
        Assert.True(values[^1].Offset + values[^1].Size <= kconfig.ValueSize);
        Assert.Equal(MapSpecKind.GlobalData, kconfig.Kind);
        Assert.True(kconfig.Freeze);
    }

    [Fact]
    public void Programs_reference_kconfig_through_the_map_and_ksyms_for_the_loader()
    {
        var spec = Objects.Read("externs");
        var program = spec.Program("externs_answers");
        var hz = spec.Externs.Single(e => e.Name == "CONFIG_HZ");
        Assert.Contains(program.MapReferences, r => r.MapName == ".kconfig" && r.Kind == MapReferenceKind.Value && r.Offset == hz.Offset);
        Assert.Contains(program.ExternReferences, r => r.Name == "bpf_prog_put" && !r.IsCall);
        Assert.Contains(program.ExternReferences, r => r.Name == "bpf_rcu_read_lock" && r.IsCall);
        Assert.Contains(program.ExternReferences, r => r.Name == "bpf_sluice_no_such_kfunc" && r.IsCall);
        Assert.Contains(program.ExternReferences, r => r.Name == "bpf_sluice_no_such_kfunc" && !r.IsCall);
        foreach (var call in program.ExternReferences.Where(r => r.IsCall))
            Assert.Equal(0x85, program.Instructions[call.InstructionIndex].Opcode);
    }
}
