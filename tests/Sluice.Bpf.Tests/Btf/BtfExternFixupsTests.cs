using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Btf;

/// <summary>
/// The extern data sections of externs.bpf.c (kconfig values, a typeless ksym, kfuncs) rewritten the way libbpf does,
/// so the kernel takes the object's BTF (unprivileged: the rewritten blob is parsed back and checked).
/// </summary>
public class BtfExternFixupsTests
{
    private static (ObjectSpec Spec, BtfSpec Fixed) Externs()
    {
        var spec = ObjectReader.Read(Fixture.Path("externs"));
        return (spec, BtfSpec.Parse(BtfExternFixups.Apply(spec.Btf!.RawData, spec.Externs), "fixed"));
    }

    [Fact]
    public void Kconfig_variables_become_allocated_at_their_map_offsets()
    {
        var (spec, btf) = Externs();
        var section = btf.FindType(".kconfig", BtfKind.DataSection)!;
        var kconfig = spec.Externs.Where(e => e.Kind == ExternKind.Kconfig).ToDictionary(e => e.Name);
        Assert.Equal(kconfig.Count, section.Variables.Count);
        foreach (var entry in section.Variables)
        {
            var variable = btf.TypeById(entry.TypeId)!;
            Assert.Equal(1u, variable.Linkage);
            Assert.Equal(kconfig[variable.Name].Offset, entry.Offset);
        }
        Assert.Equal(section.Variables.Select(v => v.Offset).Order(), section.Variables.Select(v => v.Offset));
        Assert.Equal(kconfig.Values.Max(e => e.Offset + e.Size), section.Size);
    }

    [Fact]
    public void Kfuncs_get_global_linkage_and_ksym_slots_point_at_allocated_variables()
    {
        var (spec, btf) = Externs();
        var section = btf.FindType(".ksyms", BtfKind.DataSection)!;
        Assert.Equal(Enumerable.Range(0, section.Variables.Count).Select(i => (uint)(4 * i)), section.Variables.Select(v => v.Offset));
        Assert.All(section.Variables, v => Assert.Equal(4u, v.Size));
        Assert.Equal(4u * (uint)section.Variables.Count, section.Size);
        Assert.All(section.Variables, v => Assert.Equal(BtfKind.Variable, btf.TypeById(v.TypeId)!.Kind));
        Assert.All(section.Variables, v => Assert.Equal(1u, btf.TypeById(v.TypeId)!.Linkage));

        var dummy = btf.FindType("dummy_ksym", BtfKind.Variable)!;
        Assert.Equal(spec.Btf!.Types.Count, (int)dummy.Id); // appended after every original type, so no id moves
        Assert.Equal(32, btf.TypeById(dummy.ReferencedTypeId)!.IntBits);
        foreach (var kfunc in spec.Externs.Where(e => e.Kind == ExternKind.KernelFunction))
        {
            var function = btf.TypeById(kfunc.BtfTypeId)!;
            Assert.Equal(BtfKind.Function, function.Kind);
            Assert.Equal(1u, function.Linkage);
        }
    }

    [Fact]
    public void Blob_without_extern_sections_is_returned_as_it_is()
    {
        var spec = ObjectReader.Read(Fixture.Path("minimal"));
        Assert.Same(spec.Btf!.RawData, BtfExternFixups.Apply(spec.Btf.RawData, spec.Externs));
    }
}
