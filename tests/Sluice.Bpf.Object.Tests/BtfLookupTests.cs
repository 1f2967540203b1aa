using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Object.Tests;

/// <summary>Finding types by name and flavour, split BTF, and reading BTF files that are not objects.</summary>
public sealed class BtfLookupTests
{
    [Theory]
    [InlineData("task_struct", "task_struct")]
    [InlineData("task_struct___old", "task_struct")]
    [InlineData("task_struct___old___v2", "task_struct___old")]
    [InlineData("a____b", "a____b")] // four underscores: not a flavour separator
    [InlineData("___x", "___x")]
    [InlineData("x___", "x___")]
    [InlineData("x___y", "x")]
    public void Essential_name_drops_the_last_flavour(string name, string essential) =>
        Assert.Equal(essential, BtfSpec.EssentialName(name));

    [Fact]
    public void Types_are_found_by_name_and_kind_and_by_essential_name()
    {
        var builder = new BtfBuilder();
        uint intType = builder.Int("int", 4, signed: true);
        uint plain = builder.Struct("thing", 4, ("a", intType, 0, 0));
        uint flavoured = builder.Struct("thing___v2", 8, ("a", intType, 32, 0));
        uint typedef = builder.Typedef("thing", plain);
        var btf = BtfSpec.Parse(builder.Build(), "built");

        Assert.Equal(plain, btf.FindType("thing")!.Id);
        Assert.Equal(typedef, btf.FindType("thing", BtfKind.Typedef)!.Id);
        Assert.Equal(flavoured, btf.FindType("thing___v2")!.Id);
        Assert.Null(btf.FindType("thing___v3"));
        Assert.Null(btf.FindType("thin"));
        Assert.Equal([plain, typedef], btf.FindTypes("thing").Select(t => t.Id));
        Assert.Equal([plain, flavoured, typedef], btf.TypesWithEssentialName("thing").Select(t => t.Id));
    }

    [Fact]
    public void Split_btf_continues_the_base_ids_and_strings()
    {
        var baseBuilder = new BtfBuilder();
        uint intType = baseBuilder.Int("int", 4, signed: true);
        uint shared = baseBuilder.Struct("shared", 4, ("x", intType, 0, 0));
        var baseBtf = BtfSpec.Parse(baseBuilder.Build(), "vmlinux");

        var splitBuilder = new BtfBuilder(baseBtf);
        uint own = splitBuilder.Struct("module_only", 8, ("y", intType, 0, 0), ("z", shared, 32, 0));
        var split = BtfSpec.Parse(splitBuilder.Build(), "module", baseBtf);

        Assert.Equal(3u, own);
        Assert.Equal(4, split.Types.Count);
        Assert.Same(baseBtf.Types[(int)shared], split.TypeById(shared));
        var moduleType = split.FindType("module_only", BtfKind.Struct)!;
        Assert.Equal(own, moduleType.Id);
        Assert.Equal(["y", "z"], moduleType.Members.Select(m => m.Name));
        Assert.Equal(shared, split.FindType("shared")!.Id);
        Assert.Equal("struct shared", split.TypeName(moduleType.Members[1].TypeId));
        Assert.Equal(8u, split.SizeOf(own));
        Assert.Null(baseBtf.FindType("module_only"));
    }

    [Fact]
    public void Lazy_btf_reports_a_bad_name_offset_when_the_type_is_made()
    {
        var builder = new BtfBuilder();
        builder.Add("ok", BtfKind.Int, 0, 4, false, 32);
        byte[] blob = builder.Build();
        blob[24] = 0xff; // the name offset of type 1 now points far beyond the string section
        var btf = BtfSpec.Parse(blob, "broken");
        Assert.Equal(2, btf.Types.Count);
        var error = Assert.Throws<BpfObjectException>(() => btf.TypeById(1));
        Assert.Contains("broken: BTF: type 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_reads_raw_btf_and_the_btf_section_of_an_elf_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sluice-btf-{Environment.ProcessId}.btf");
        try
        {
            var spec = Objects.Read("btf_kinds");
            File.WriteAllBytes(path, spec.Btf!.RawData);
            var raw = BtfSpec.Load(path);
            Assert.Equal(spec.Btf.Types.Count, raw.Types.Count);

            var fromElf = BtfSpec.Load(Fixture.Path("btf_kinds"));
            Assert.Equal(spec.Btf.Types.Count, fromElf.Types.Count);
            Assert.NotNull(fromElf.FindType("records", BtfKind.Variable));

            File.WriteAllBytes(path, [1, 2, 3]);
            Assert.Throws<BpfObjectException>(() => BtfSpec.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
