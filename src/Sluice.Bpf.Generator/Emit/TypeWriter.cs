using Microsoft.CodeAnalysis;
using Sluice.Bpf.Object;

namespace Sluice.Bpf.Generator;

/// <summary>
/// Writes the C# mirror of each BTF struct, union and enum the mapper collected: explicit layout with the BTF
/// offsets and size, so a value is byte-for-byte what the BPF program sees. Unions put every member at offset 0;
/// anonymous struct/union members are flattened into their parent as in C; bitfields become properties over the
/// struct's bytes (<c>Sluice.Bpf.BtfBitfield</c>).
/// </summary>
internal sealed class TypeWriter(CSharpTypeMapper mapper, string objectName, ObjectOptions options, CComments comments, Action<Diagnostic> report)
{
    private const string BitfieldBytes = "BitfieldBytes";

    private BtfSpec Btf => mapper.Btf;

    // Written as a placeholder, decided once every type is known: a public type makes the types of its fields public.
    private const string Access = "$access$";
    private readonly Dictionary<string, HashSet<string>> _uses = new(StringComparer.Ordinal);

    /// <summary>One generated type: its C# name and its source, indented for the depth it was written at.</summary>
    internal sealed record Written(string Name, string Source);

    /// <summary>Writes every pending type, including those discovered while writing, then the arrays; each on its own, at <paramref name="depth"/>.</summary>
    internal List<Written> WriteAll(int depth)
    {
        var written = new List<Written>();
        while (mapper.TryDequeue(out uint id))
        {
            var type = Btf.TypeById(id)!;
            var code = new CodeWriter(depth);
            if (type.Kind is BtfKind.Enum or BtfKind.Enum64) WriteEnum(code, type);
            else WriteStruct(code, type);
            written.Add(new Written(mapper.NameOf(id), code.ToString()));
        }
        foreach (var array in mapper.Arrays.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var code = new CodeWriter(depth);
            code.Summary($"{array.Value.Count} × {array.Value.Element}, laid out like the C array.");
            code.Line($"[global::System.Runtime.CompilerServices.InlineArray({array.Value.Count})]");
            code.Open($"{Access} struct {array.Key}");
            code.Line($"private {array.Value.Element} _element0;");
            code.Close();
            written.Add(new Written(array.Key, code.ToString()));
            _uses[array.Key] = [array.Value.Element];
        }
        var exposed = PublicClosure(written);
        return written.Select(w => w with { Source = w.Source.Replace(Access, exposed.Contains(w.Name) ? "public" : "internal") }).ToList();
    }

    private HashSet<string> PublicClosure(List<Written> written)
    {
        var exposed = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(options.Internal ? mapper.Roots(options.PublicTypes) : written.Select(w => w.Name));
        while (pending.Count > 0)
        {
            string name = pending.Pop();
            if (!exposed.Add(name) || !_uses.TryGetValue(name, out var uses)) continue;
            foreach (var used in uses) pending.Push(used);
        }
        return exposed;
    }

    private void WriteStruct(CodeWriter code, BtfType type)
    {
        string name = mapper.NameOf(type.Id);
        string cName = Btf.TypeName(type.Id);
        code.Summary(Documented(comments.OfType(cName), $"Mirror of {cName} ({Bytes(type.Size)})", $"{cName}, {Bytes(type.Size)}"));
        code.Line($"[global::Sluice.Bpf.BtfType(\"{cName}\")]");
        code.Line($"[global::System.Runtime.InteropServices.StructLayout(global::System.Runtime.InteropServices.LayoutKind.Explicit, Size = {type.Size})]");
        code.Open($"{Access} partial struct {name}");
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
        (_uses.TryGetValue(structName, out var uses) ? uses : _uses[structName] = new(StringComparer.Ordinal)).Add(type);
        code.Summary(Documented(comments.OfMember(cName, member.Name), description, $"{Btf.TypeName(member.TypeId)} {member.Name}, offset {offset}"));
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
        string description = $"{Btf.TypeName(member.TypeId)} {member.Name} : {member.BitfieldSize}";
        code.Summary(Documented(comments.OfMember(cName, member.Name), $"{description} (bit offset {member.BitOffset})", $"{description}, bit offset {member.BitOffset}"));
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
        string cName = Btf.TypeName(type.Id);
        code.Summary(Documented(comments.OfType(cName), $"Mirror of {cName} ({Bytes(type.Size)})", $"{cName}, {Bytes(type.Size)}"));
        code.Line($"[global::Sluice.Bpf.BtfType(\"{cName}\")]");
        // C has no flags enums; a name that says so ("..._flags") gets [Flags], so C# prints and combines them as such.
        if (type.Name.EndsWith("_flags", StringComparison.Ordinal)) code.Line("[global::System.Flags]");
        code.Open($"{Access} enum {name} : {underlying}");
        var names = new NameScope([name]);
        string prefix = CommonPrefix(type.EnumValues.Select(v => v.Name).ToList());
        foreach (var value in type.EnumValues)
        {
            string literal = signed ? value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : unchecked((ulong)value.Value & Mask(type.Size)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            code.Summary(Documented(comments.OfEnumerator(value.Name), $"{value.Name} = {literal}", $"{value.Name} = {literal}"));
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

    /// <summary>"comment (facts)." when the C has a comment, else "plain.".</summary>
    private static string Documented(string? comment, string plain, string facts) =>
        comment is null ? plain + "." : $"{Sentence(comment).TrimEnd('.')} ({facts}).";

    /// <summary>"a SYN went by" → "A SYN went by"; a comment that starts with code ("bpf_ktime_get_ns()") stays as it is.</summary>
    private static string Sentence(string comment)
    {
        int space = comment.IndexOf(' ');
        string first = space < 0 ? comment : comment.Substring(0, space);
        return first.All(c => c is >= 'a' and <= 'z') ? char.ToUpperInvariant(comment[0]) + comment.Substring(1) : comment;
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
