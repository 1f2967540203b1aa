using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

/// <summary>`sluice btf dump ... format raw` prints exactly what `bpftool btf dump ... format raw` prints.</summary>
public class BtfDumpCommandTests
{
    [Theory]
    [InlineData("btf_kinds")]
    [InlineData("tracing")]
    [InlineData("maps")]
    public void File_dump_equals_bpftools(string fixture)
    {
        RequireBpftool();
        string path = Fixture.Path(fixture);
        Assert.Equal(Lines(ShellCommand.Run("bpftool", "btf", "dump", "file", path, "format", "raw")),
            Lines(CliAssert.Succeeds("btf", "dump", "file", path, "format", "raw").Stdout));
    }

    [Fact]
    public void Kernel_btf_dump_equals_bpftools()
    {
        Requires.Root();
        RequireBpftool();
        if (!File.Exists("/sys/kernel/btf/vmlinux")) Requires.Unavailable("the kernel has no BTF");
        var expected = Lines(ShellCommand.Run("bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "raw"));
        var actual = Lines(CliAssert.Succeeds("btf", "dump", "file", "/sys/kernel/btf/vmlinux").Stdout);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.True(expected[i] == actual[i], $"line {i}: '{actual[i]}', bpftool '{expected[i]}'");
    }

    [Fact]
    public void Map_and_program_btf_of_a_loaded_object_equal_bpftools()
    {
        Requires.Root();
        RequireBpftool();
        using var pins = new TestPinDirectory(create: true);
        CliAssert.Succeeds("object", "load", Fixture.Path("btf_kinds"), "--pin", pins.Path);
        string program = Path.Combine(pins.Path, "btf_kinds");
        Assert.Equal(Lines(ShellCommand.Run("bpftool", "btf", "dump", "prog", "pinned", program, "format", "raw")),
            Lines(CliAssert.Succeeds("btf", "dump", "prog", program).Stdout));
    }

    [Fact]
    public void Unsupported_format_and_missing_sources_are_one_line()
    {
        Assert.Contains("format 'json' is not supported", CliAssert.FailsWithOneLine("btf", "dump", "file", Fixture.Path("btf_kinds"), "format", "json"), StringComparison.Ordinal);
        Assert.Equal("error: /no/such/file.o: no such file", CliAssert.FailsWithOneLine("btf", "dump", "file", "/no/such/file.o"));
    }

    /// <summary>
    /// Same text as bpftool 7.1, except that Sluice, like libbpf 1.2+, gives 1- and 8-byte enums their size with
    /// __attribute__((mode(byte|word))); libbpf 1.1 leaves them int-sized, which breaks the layout of their users.
    /// </summary>
    [Theory]
    [InlineData("btf_kinds")]
    [InlineData("tracing")]
    [InlineData("maps")]
    [InlineData("core_kernel")]
    [InlineData("externs")]
    public void File_dump_as_c_equals_bpftools_but_for_enum_sizes(string fixture)
    {
        RequireBpftool();
        string path = Fixture.Path(fixture);
        Assert.Equal(Lines(ShellCommand.Run("bpftool", "btf", "dump", "file", path, "format", "c")),
            Lines(CliAssert.Succeeds("btf", "dump", "file", path, "format", "c").Stdout.Replace(" __attribute__((mode(byte)))", "", StringComparison.Ordinal)
                .Replace(" __attribute__((mode(word)))", "", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("btf_kinds")]
    [InlineData("core_kernel")]
    [InlineData("maps")]
    public void Fixture_btf_as_c_compiles_with_the_objects_layout(string fixture) =>
        AssertCompilesWithLayout(Fixture.Path(fixture), BtfSpec.Load(Fixture.Path(fixture)));

    [Fact]
    public void Kernel_btf_as_c_compiles_with_the_kernels_layout()
    {
        if (!File.Exists("/sys/kernel/btf/vmlinux")) Requires.Unavailable("the kernel has no BTF");
        AssertCompilesWithLayout("/sys/kernel/btf/vmlinux", BtfSpec.Load("/sys/kernel/btf/vmlinux"));
    }

    /// <summary>
    /// Dumps <paramref name="source"/> as C, then compiles it with clang-14 (-target bpf) together with a static
    /// assertion for the size of every struct and union whose name is unique, and the offset of each of its named,
    /// non-bitfield members: the compiled layout must be the BTF's, padding, packing and bitfields included.
    /// </summary>
    private static void AssertCompilesWithLayout(string source, BtfSpec btf)
    {
        if (!File.Exists("/usr/bin/clang-14")) Requires.Unavailable("clang-14 is not installed");
        string directory = Directory.CreateTempSubdirectory("sluice-btf-c-").FullName;
        try
        {
            string header = Path.Combine(directory, "types.h");
            File.WriteAllText(header, CliAssert.Succeeds("btf", "dump", "file", source, "format", "c").Stdout);
            var tags = btf.Types.Where(t => t.Kind is BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64 or BtfKind.Forward && t.Name.Length > 0)
                .GroupBy(t => t.Name).Where(g => g.Count() == 1).Select(g => g.Single())
                .Where(t => t.Kind is BtfKind.Struct or BtfKind.Union && !EmbedsVaList(btf, t.Id, 0)).ToList();
            var check = new System.Text.StringBuilder("#include \"types.h\"\n");
            foreach (var type in tags)
            {
                string c = $"{(type.Kind == BtfKind.Struct ? "struct" : "union")} {type.Name}";
                check.Append($"_Static_assert(sizeof({c}) == {type.Size}, \"sizeof {c}\");\n");
                foreach (var member in type.Members.Where(m => m.Name.Length > 0 && m.BitfieldSize == 0))
                    check.Append($"_Static_assert(__builtin_offsetof({c}, {member.Name}) == {member.BitOffset / 8}, \"{c}.{member.Name}\");\n");
            }
            string checkFile = Path.Combine(directory, "check.c");
            File.WriteAllText(checkFile, check.ToString());
            Assert.NotEmpty(tags);
            var result = ShellCommand.Execute("clang-14", ["-target", "bpf", "-fsyntax-only", "-Wno-everything", checkFile], TimeSpan.FromMinutes(5));
            Assert.True(result.ExitCode == 0, $"the C dump of {source} does not compile to its BTF layout:\n{Head(result.Error)}");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // The header keeps va_list as the compiler's __builtin_va_list, whose size is the target's (24 bytes on x86-64,
    // 8 for -target bpf), so structs embedding one cannot have the kernel's layout under clang -target bpf.
    private static bool EmbedsVaList(BtfSpec btf, uint id, int depth)
    {
        var type = btf.TypeById(id);
        if (type is null || depth > 32) return false;
        return type.Kind switch
        {
            BtfKind.Typedef => type.Name == "__builtin_va_list" || EmbedsVaList(btf, type.ReferencedTypeId, depth + 1),
            BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.TypeTag => EmbedsVaList(btf, type.ReferencedTypeId, depth + 1),
            BtfKind.Array => EmbedsVaList(btf, type.Array!.Value.ElementTypeId, depth + 1),
            BtfKind.Struct or BtfKind.Union => type.Members.Any(m => EmbedsVaList(btf, m.TypeId, depth + 1)),
            _ => false,
        };
    }

    private static string Head(string text) => string.Join('\n', text.Split('\n').Take(30));

    private static void RequireBpftool()
    {
        if (!File.Exists("/usr/sbin/bpftool") && !File.Exists("/usr/bin/bpftool")) Requires.Unavailable("bpftool is not installed");
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
}
