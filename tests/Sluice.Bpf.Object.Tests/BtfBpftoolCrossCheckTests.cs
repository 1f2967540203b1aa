using System.Diagnostics;
using System.Text.Json;
using Sluice.Bpf.Object.Btf;
using Sluice.Bpf.Object.Elf;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Object.Tests;

/// <summary>
/// Every type of every fixture's .BTF as our parser reads it, against what bpftool (libbpf's parser, a second
/// implementation) prints for the same bytes with <c>bpftool -j btf dump file</c>: kind, name, size, referenced types,
/// members, parameters, enum values, array shapes, linkage and data-section entries.
/// </summary>
public class BtfBpftoolCrossCheckTests
{
    private static readonly Dictionary<string, BtfKind> Kinds = new(StringComparer.Ordinal)
    {
        ["INT"] = BtfKind.Int, ["PTR"] = BtfKind.Pointer, ["ARRAY"] = BtfKind.Array, ["STRUCT"] = BtfKind.Struct,
        ["UNION"] = BtfKind.Union, ["ENUM"] = BtfKind.Enum, ["FWD"] = BtfKind.Forward, ["TYPEDEF"] = BtfKind.Typedef,
        ["VOLATILE"] = BtfKind.Volatile, ["CONST"] = BtfKind.Const, ["RESTRICT"] = BtfKind.Restrict,
        ["FUNC"] = BtfKind.Function, ["FUNC_PROTO"] = BtfKind.FunctionProto, ["VAR"] = BtfKind.Variable,
        ["DATASEC"] = BtfKind.DataSection, ["FLOAT"] = BtfKind.Float, ["DECL_TAG"] = BtfKind.DeclarationTag,
        ["TYPE_TAG"] = BtfKind.TypeTag, ["ENUM64"] = BtfKind.Enum64,
    };

    private static readonly Dictionary<string, byte> IntEncodings = new(StringComparer.Ordinal)
    {
        ["(none)"] = 0, ["SIGNED"] = 1, ["CHAR"] = 2, ["BOOL"] = 4,
    };

    private static readonly Dictionary<string, uint> Linkages = new(StringComparer.Ordinal)
    {
        ["static"] = 0, ["global"] = 1, ["extern"] = 2,
    };

    public static TheoryData<string> Fixtures => [.. Objects.AllFixtures.Where(HasBtf)];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Every_type_matches_bpftool(string fixture)
    {
        var bytes = Fixture.Bytes(fixture);
        var elf = new ElfFile(bytes, fixture);
        var btf = BtfParser.Parse(elf.Data(elf.FindSection(".BTF")!).ToArray(), fixture);
        using var dump = JsonDocument.Parse(Bpftool(Fixture.Path(fixture)));
        var types = dump.RootElement.GetProperty("types").EnumerateArray().ToList();

        Assert.Equal(types.Count, btf.Types.Count(t => t.Kind != BtfKind.Void));
        foreach (var expected in types)
        {
            uint id = expected.GetProperty("id").GetUInt32();
            var type = btf.TypeById(id);
            Assert.True(type is not null, $"{fixture}: bpftool has type [{id}], we do not");
            string where = $"{fixture} [{id}] {type.Kind} '{type.Name}'";
            Assert.True(Kinds[expected.GetProperty("kind").GetString()!] == type.Kind, $"{where}: bpftool says {expected.GetProperty("kind")}");
            string name = expected.GetProperty("name").GetString()!;
            Assert.True((name == "(anon)" ? "" : name) == type.Name, $"{where}: bpftool names it '{name}'");
            Check(where, expected, type);
        }
    }

    private static void Check(string where, JsonElement expected, BtfType type)
    {
        if (expected.TryGetProperty("size", out var size)) Assert.True(size.GetUInt32() == type.Size, $"{where}: size {type.Size}, bpftool {size}");
        if (type.Kind == BtfKind.Array)
        {
            Assert.Equal(new BtfArray(expected.GetProperty("type_id").GetUInt32(), expected.GetProperty("index_type_id").GetUInt32(),
                expected.GetProperty("nr_elems").GetUInt32()), type.Array);
        }
        else if (expected.TryGetProperty("type_id", out var referenced))
            Assert.True(referenced.GetUInt32() == type.ReferencedTypeId, $"{where}: refers to {type.ReferencedTypeId}, bpftool {referenced}");
        if (expected.TryGetProperty("ret_type_id", out var returns))
            Assert.True(returns.GetUInt32() == type.ReferencedTypeId, $"{where}: returns {type.ReferencedTypeId}, bpftool {returns}");
        if (expected.TryGetProperty("encoding", out var encoding) && type.Kind == BtfKind.Int)
        {
            Assert.Equal(IntEncodings[encoding.GetString()!], type.IntEncoding);
            Assert.Equal(expected.GetProperty("nr_bits").GetByte(), type.IntBits);
            Assert.Equal(expected.GetProperty("bits_offset").GetByte(), type.IntOffset);
        }
        if (expected.TryGetProperty("linkage", out var linkage)) Assert.True(Linkages[linkage.GetString()!] == type.Linkage, $"{where}: linkage {type.Linkage}, bpftool {linkage}");
        if (expected.TryGetProperty("component_idx", out var component)) Assert.Equal(component.GetInt32(), type.ComponentIndex);
        if (expected.TryGetProperty("fwd_kind", out var forward)) Assert.Equal(forward.GetString() == "union", type.KindFlag);
        if (expected.TryGetProperty("members", out var members))
            Assert.Equal(members.EnumerateArray().Select(m => new BtfMember(Name(m), m.GetProperty("type_id").GetUInt32(),
                m.GetProperty("bits_offset").GetUInt32(), m.TryGetProperty("bitfield_size", out var bits) ? bits.GetUInt32() : 0)), type.Members);
        if (expected.TryGetProperty("params", out var parameters))
            Assert.Equal(parameters.EnumerateArray().Select(p => new BtfParameter(Name(p), p.GetProperty("type_id").GetUInt32())), type.Parameters);
        if (expected.TryGetProperty("values", out var values))
        {
            // bpftool widens 32-bit enum values to 64 bits (signed or not); compare them at the enum's own width.
            ulong mask = type.Size >= 8 ? ulong.MaxValue : (1UL << (int)(type.Size * 8)) - 1;
            Assert.Equal(values.EnumerateArray().Select(v => (Name(v), Raw(v.GetProperty("val")) & mask)),
                type.EnumValues.Select(v => (v.Name, (ulong)v.Value & mask)));
        }
        if (expected.TryGetProperty("vars", out var variables))
            Assert.Equal(variables.EnumerateArray().Select(v => new BtfDataSectionEntry(v.GetProperty("type_id").GetUInt32(),
                v.GetProperty("offset").GetUInt32(), v.GetProperty("size").GetUInt32())), type.Variables);
    }

    private static string Name(JsonElement element) =>
        element.TryGetProperty("name", out var name) && name.GetString() is { } text && text != "(anon)" ? text : "";

    private static ulong Raw(JsonElement value) => value.TryGetUInt64(out ulong unsigned) ? unsigned : (ulong)value.GetInt64();

    private static bool HasBtf(string fixture)
    {
        var elf = new ElfFile(Fixture.Bytes(fixture), fixture);
        return elf.FindSection(".BTF") is not null;
    }

    private static string Bpftool(string path)
    {
        var start = new ProcessStartInfo("bpftool") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-j", "btf", "dump", "file", path }) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Requires.Unavailable("bpftool is not installed (scripts/bootstrap.sh installs it)");
            throw;
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"bpftool failed on {path}: {errors}");
            return output.Result;
        }
    }
}
