using Microsoft.CodeAnalysis;
using Sluice.Bpf.Object;

namespace Sluice.Bpf.Generator;

/// <summary>
/// Writes the C# mirror of each BTF struct, union and enum the mapper collected: explicit layout with the BTF
/// offsets and size, so a value is byte-for-byte what the BPF program sees. Unions put every member at offset 0;
/// anonymous struct/union members are flattened into their parent as in C; bitfields become properties over the
/// struct's bytes (<c>Sluice.Bpf.BtfBitfield</c>).
/// </summary>
internal sealed class TypeWriter(CSharpTypeMapper mapper, string objectName, Action<Diagnostic> report)
{
    private const string BitfieldBytes = "BitfieldBytes";

    private BtfSpec Btf => mapper.Btf;

    /// <summary>Writes every pending type, including those discovered while writing, then the arrays.</summary>
    internal void WriteAll(CodeWriter code)
    {
        while (mapper.TryDequeue(out uint id))
        {
            var type = Btf.TypeById(id)!;
            code.Line();
            if (type.Kind is BtfKind.Enum or BtfKind.Enum64) WriteEnum(code, type);
            else WriteStruct(code, type);
        }
        foreach (var array in mapper.Arrays.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            code.Line();
            code.Summary($"{array.Value.Count} × {array.Value.Element}, laid out like the C array.");
            code.Line($"[global::System.Runtime.CompilerServices.InlineArray({array.Value.Count})]");
            code.Open($"public struct {array.Key}");
            code.Line($"private {array.Value.Element} _element0;");
            code.Close();
        }
    }

    private void WriteStruct(CodeWriter code, BtfType type)
    {
        string name = mapper.NameOf(type.Id);
        string cName = Btf.TypeName(type.Id);
        code.Summary($"Mirror of {cName} ({Bytes(type.Size)}, BTF id {type.Id}).");
        code.Line($"[global::System.Runtime.InteropServices.StructLayout(global::System.Runtime.InteropServices.LayoutKind.Explicit, Size = {type.Size})]");
        code.Open($"public partial struct {name}");
        var members = new NameScope([name, BitfieldBytes]);
        var flattened = Flatten(type, 0).ToList();
        if (flattened.Any(m => m.BitfieldSize > 0))
        {
            code.Summary("The struct's bytes, for the bitfield properties.");
            code.Line($"[global::System.Diagnostics.CodeAnalysis.UnscopedRef] private global::System.Span<byte> {BitfieldBytes} =>");
            code.Line("    global::System.Runtime.InteropServices.MemoryMarshal.AsBytes(global::System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref this, 1));");
        }
        foreach (var member in flattened)
        {
            string memberName = members.Claim(CSharpNames.Pascal(member.Name.Length > 0 ? member.Name : "field"), "Value");
            if (member.BitfieldSize > 0) WriteBitfield(code, cName, member, memberName);
            else WriteField(code, cName, name, member, memberName);
        }
        code.Close();
    }

    private void WriteField(CodeWriter code, string cName, string structName, BtfMember member, string memberName)
    {
        uint offset = member.BitOffset / 8;
        string description = $"{Btf.TypeName(member.TypeId)} {member.Name} (offset {offset})";
        string? problem = "not byte-aligned";
        string? type = member.BitOffset % 8 == 0 ? mapper.Resolve(member.TypeId, structName + memberName, out problem) : null;
        if (type is null)
        {
            problem ??= "no C# equivalent";
            if (!TrySize(member.TypeId, out uint size) || size == 0 || member.BitOffset % 8 != 0)
            {
                // A flexible array member takes no bytes: nothing to mirror, nothing to warn about.
                if (problem != "flexible array member") Report(cName, member.Name, problem);
                code.Line($"// {CodeWriter.Escape(description)}: not mirrored ({problem})");
                return;
            }
            Report(cName, member.Name, problem);
            type = mapper.Bytes(size);
            description += $", opaque: {problem}";
        }
        code.Summary(description + ".");
        code.Line($"[global::System.Runtime.InteropServices.FieldOffset({offset})] public {type} {memberName};");
    }

    private void WriteBitfield(CodeWriter code, string cName, BtfMember member, string memberName)
    {
        string? type = mapper.Resolve(member.TypeId, memberName, out _);
        bool signed = type is "sbyte" or "short" or "int" or "long";
        if (type is not ("byte" or "sbyte" or "short" or "ushort" or "int" or "uint" or "long" or "ulong") || member.BitfieldSize > 57)
        {
            Report(cName, member.Name, "bitfield of a non-integer type or wider than 57 bits");
            code.Line($"// {CodeWriter.Escape(member.Name)}: bitfield not mirrored");
            return;
        }
        const string bytes = BitfieldBytes;
        code.Summary($"{Btf.TypeName(member.TypeId)} {member.Name} : {member.BitfieldSize} (bit offset {member.BitOffset}).");
        code.Open($"public {type} {memberName}");
        code.Line($"get => unchecked(({type})global::Sluice.Bpf.BtfBitfield.Read({bytes}, {member.BitOffset}, {member.BitfieldSize}, signed: {(signed ? "true" : "false")}));");
        code.Line($"set => global::Sluice.Bpf.BtfBitfield.Write({bytes}, {member.BitOffset}, {member.BitfieldSize}, unchecked((ulong)value));");
        code.Close();
    }

    private void WriteEnum(CodeWriter code, BtfType type)
    {
        string name = mapper.NameOf(type.Id);
        bool signed = type.KindFlag || type.EnumValues.Any(v => v.Value < 0 && type.Kind == BtfKind.Enum);
        string underlying = type.Size switch
        {
            1 => signed ? "sbyte" : "byte",
            2 => signed ? "short" : "ushort",
            8 => signed ? "long" : "ulong",
            _ => signed ? "int" : "uint",
        };
        code.Summary($"Mirror of {Btf.TypeName(type.Id)} ({Bytes(type.Size)}, BTF id {type.Id}).");
        code.Open($"public enum {name} : {underlying}");
        var names = new NameScope([name]);
        string prefix = CommonPrefix(type.EnumValues.Select(v => v.Name).ToList());
        foreach (var value in type.EnumValues)
        {
            string literal = signed ? value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : unchecked((ulong)value.Value & Mask(type.Size)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            code.Summary($"{value.Name} = {literal}.");
            code.Line($"{names.Claim(CSharpNames.Pascal(value.Name.Substring(prefix.Length)))} = {literal},");
        }
        code.Close();
    }

    /// <summary>Members in order, with anonymous struct/union members replaced by their own members at the right offset.</summary>
    private IEnumerable<BtfMember> Flatten(BtfType type, uint baseBitOffset)
    {
        foreach (var member in type.Members)
        {
            var inner = member.Name.Length == 0 ? Btf.SkipQualifiers(member.TypeId) : null;
            if (inner is { Kind: BtfKind.Struct or BtfKind.Union, Name.Length: 0 })
            {
                foreach (var nested in Flatten(inner, baseBitOffset + member.BitOffset)) yield return nested;
                continue;
            }
            yield return member with { BitOffset = baseBitOffset + member.BitOffset };
        }
    }

    /// <summary>"VERDICT_PASS", "VERDICT_DROP" share "VERDICT_": C enumerators repeat their enum's name, C# scopes them.</summary>
    private static string CommonPrefix(List<string> names)
    {
        if (names.Count < 2) return "";
        string prefix = names[0];
        foreach (var name in names)
            while (!name.StartsWith(prefix, StringComparison.Ordinal)) prefix = prefix.Substring(0, prefix.Length - 1);
        int cut = prefix.LastIndexOf('_') + 1;
        prefix = prefix.Substring(0, cut);
        // Keep the prefix when stripping it would leave a name starting with a digit or nothing.
        return names.All(n => n.Length > prefix.Length && char.IsLetter(n[prefix.Length])) ? prefix : "";
    }

    private static string Bytes(uint size) => size == 1 ? "1 byte" : $"{size} bytes";

    private static ulong Mask(uint size) => size >= 8 ? ulong.MaxValue : (1UL << (int)(size * 8)) - 1;

    private bool TrySize(uint id, out uint size)
    {
        try
        {
            size = Btf.SizeOf(id);
            return true;
        }
        catch (BpfObjectException)
        {
            size = 0;
            return false;
        }
    }

    private void Report(string cName, string member, string problem) =>
        report(Diagnostic.Create(GeneratorDiagnostics.UnsupportedMember, Location.None, $"{objectName}: {cName}", member, problem));
}
