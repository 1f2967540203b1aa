using Sluice.Bpf.Object;
using System.Text;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Btf;

public class BtfSanitizerTests
{
    private static readonly BtfFeatures Nothing = new() { Loadable = true };

    /// <summary>One type of every kind the sanitiser rewrites, plus the ones it leaves alone.</summary>
    private static byte[] EveryKind()
    {
        var b = new BtfBlobBuilder();
        uint integer = b.Int("int");                                                         // 1
        uint proto = b.Type(BtfKind.FunctionProto, null, 1, integer, false, b.String("a"), integer); // 2
        b.Type(BtfKind.Function, "f", 1, proto);                                                  // 3 (global)
        uint variable = b.Type(BtfKind.Variable, "x", 0, integer, false, 1);                       // 4
        b.Type(BtfKind.DataSection, ".data", 1, 4, false, variable, 0, 4);                        // 5
        b.Type(BtfKind.Float, "float", 0, 4);                                                 // 6
        b.Type(BtfKind.DeclarationTag, "tag", 0, variable, false, uint.MaxValue);                    // 7
        uint typeTag = b.Type(BtfKind.TypeTag, "user", 0, integer);                           // 8
        b.Type(BtfKind.Pointer, null, 0, typeTag);                                            // 9
        b.Type(BtfKind.Enum64, "big", 2, 8, false, b.String("A"), 1, 0, b.String("B"), 0, 1); // 10
        b.Type(BtfKind.Enum, "signed", 1, 4, true, b.String("C"), unchecked((uint)-1));       // 11
        return b.Build();
    }

    private static List<(BtfKind Kind, int Vlen, string Name, uint SizeOrType)> Types(byte[] blob)
    {
        var header = BtfLayout.ReadHeader(blob);
        var types = new List<(BtfKind, int, string, uint)>();
        for (int at = header.TypesStart; at < header.TypesStart + header.TypeLength;)
        {
            uint info = BtfLayout.Read(blob, at + 4);
            var kind = BtfLayout.KindOf(info);
            int vlen = BtfLayout.VlenOf(info);
            types.Add((kind, vlen, Name(blob, header, BtfLayout.Read(blob, at)), BtfLayout.Read(blob, at + 8)));
            at += BtfLayout.TypeSize + BtfLayout.TrailingSize(kind, vlen);
        }
        return types;
    }

    private static string Name(byte[] blob, BtfLayout.Header header, uint offset)
    {
        int start = header.StringsStart + (int)offset;
        int end = Array.IndexOf(blob, (byte)0, start);
        return Encoding.UTF8.GetString(blob, start, end - start);
    }

    [Fact]
    public void Kernel_with_every_kind_gets_the_blob_unchanged()
    {
        var blob = EveryKind();
        var result = BtfSanitizer.Sanitize(blob, BtfFeatures.All, out int rewritten);
        Assert.Equal(0, rewritten);
        Assert.Equal(blob, result);
    }

    [Fact]
    public void Old_kernel_gets_every_new_kind_rewritten_with_ids_preserved()
    {
        var result = BtfSanitizer.Sanitize(EveryKind(), Nothing, out int rewritten);
        var types = Types(result);

        Assert.Equal(9, rewritten); // all but INT and PTR
        Assert.Equal(12, types.Count); // ENUM64 placeholder INT appended as id 12
        Assert.Equal((BtfKind.Int, 0, "int", 4u), types[0]);
        Assert.Equal((BtfKind.Enum, 1, "", 4u), types[1]);          // FUNC_PROTO
        Assert.Equal((BtfKind.Typedef, 0, "f", 2u), types[2]);      // FUNC keeps pointing at its prototype
        Assert.Equal((BtfKind.Int, 0, "x", 1u), types[3]);          // VAR
        Assert.Equal((BtfKind.Struct, 1, "_data", 4u), types[4]);   // DATASEC
        Assert.Equal((BtfKind.Struct, 0, "", 4u), types[5]);        // FLOAT
        Assert.Equal((BtfKind.Int, 0, "", 1u), types[6]);           // DECL_TAG
        Assert.Equal((BtfKind.Const, 0, "", 1u), types[7]);         // TYPE_TAG
        Assert.Equal((BtfKind.Pointer, 0, "", 8u), types[8]);
        Assert.Equal((BtfKind.Union, 2, "big", 8u), types[9]);      // ENUM64
        Assert.Equal((BtfKind.Enum, 1, "signed", 4u), types[10]);
        Assert.Equal((BtfKind.Int, 0, "", 1u), types[11]);          // placeholder
    }

    [Fact]
    public void Datasec_members_carry_the_variable_name_and_bit_offset()
    {
        var result = BtfSanitizer.Sanitize(EveryKind(), Nothing, out _);
        var header = BtfLayout.ReadHeader(result);
        // DATASEC is the fifth type: INT(16) + FUNC_PROTO(12+8) + FUNC(12) + VAR(16) = 64 bytes before it.
        int member = header.TypesStart + 64 + BtfLayout.TypeSize;
        Assert.Equal("x", Name(result, header, BtfLayout.Read(result, member)));
        Assert.Equal(4u, BtfLayout.Read(result, member + 4));
        Assert.Equal(0u, BtfLayout.Read(result, member + 8));
    }

    [Fact]
    public void Only_the_missing_features_are_rewritten()
    {
        var features = BtfFeatures.All with { GlobalFunc = false, TypeTag = false };
        var types = Types(BtfSanitizer.Sanitize(EveryKind(), features, out int rewritten));
        Assert.Equal(2, rewritten);
        Assert.Equal((BtfKind.Function, 0, "f", 2u), types[2]);
        Assert.Equal(BtfKind.Const, types[7].Kind);
        Assert.Equal(BtfKind.Enum64, types[9].Kind);
    }

    [Fact]
    public void Malformed_blobs_are_refused()
    {
        Assert.Throws<FormatException>(() => BtfSanitizer.Sanitize(new byte[10], Nothing, out _));
        var blob = EveryKind();
        blob[0] = 0;
        Assert.Throws<FormatException>(() => BtfSanitizer.Sanitize(blob, Nothing, out _));
        var truncated = EveryKind();
        BtfLayout.Write(truncated, 12, 1000);
        Assert.Throws<FormatException>(() => BtfSanitizer.Sanitize(truncated, Nothing, out _));
    }

    [Fact]
    public void Kernel_accepts_both_the_original_and_the_fully_rewritten_blob()
    {
        Requires.Root();
        using (var original = BpfBtf.Load(EveryKind())) Assert.Equal(0, original.RewrittenTypes);
        var rewritten = BtfSanitizer.Sanitize(EveryKind(), Nothing, out _);
        using var sanitized = BpfBtf.Load(rewritten);
        Assert.True(sanitized.Fd.Value > 0);
    }

    [Fact]
    public void Running_kernel_supports_every_probed_kind()
    {
        Requires.Root();
        // Every project machine runs Linux 6.18; a false here means a probe blob is wrong, not an old kernel.
        Assert.Equal(BtfFeatures.All, BtfFeatureProbe.Current);
    }

    [Fact]
    public void Refused_btf_reports_the_kernel_log()
    {
        Requires.Root();
        var b = new BtfBlobBuilder();
        b.Type(BtfKind.Pointer, null, 0, 42); // points at a type that does not exist
        var error = Assert.Throws<BpfException>(() => BpfBtf.Load(b.Build()));
        Assert.Equal("BPF_BTF_LOAD", error.Command);
        Assert.Contains("kernel BTF log", error.Message, StringComparison.Ordinal);
    }
}
