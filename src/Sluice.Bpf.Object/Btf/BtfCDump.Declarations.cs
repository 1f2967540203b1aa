using System.Globalization;

namespace Sluice.Bpf.Object;

// How one type is spelled in C: struct, union and enum bodies, typedefs, and declarators (the inside-out syntax of
// pointers, arrays and function pointers).
public sealed partial class BtfCDump
{
    private const int PointerSize = 8;

    private void Put(string text) => _out.Write(text);

    private static string Indent(int level) => new('\t', level);

    private void WriteStructForward(uint id, BtfType type)
    {
        string name = TypeName(id);
        Put((type.Kind == BtfKind.Struct ? "struct" : "union") + (name.Length > 0 ? " " + name : ""));
    }

    private void WriteForwardKind(uint id, BtfType type) => Put((type.KindFlag ? "union " : "struct ") + TypeName(id));

    private void WriteTypedef(uint id, BtfType type, int level)
    {
        string name = IdentifierName(id);
        // Old GCC describes __gnuc_va_list as a typedef of void; the compiler's own type is what it means.
        if (type.ReferencedTypeId == 0 && name == "__gnuc_va_list")
        {
            Put("typedef __builtin_va_list __gnuc_va_list");
            return;
        }
        Put("typedef ");
        WriteDeclaration(type.ReferencedTypeId, name, level);
    }

    private void WriteEnum(uint id, BtfType type, int level)
    {
        string name = TypeName(id);
        Put("enum" + (name.Length > 0 ? " " + name : ""));
        if (type.EnumValues.Count == 0) return;
        Put(" {");
        bool signed = type.KindFlag;
        foreach (var value in type.EnumValues)
        {
            // Enumerators live in the ordinary identifier namespace, shared with typedefs.
            int uses = Use(_identifierUses, value.Name);
            string enumerator = uses > 1 ? $"{value.Name}___{uses}" : value.Name;
            string number = type.Kind == BtfKind.Enum64
                ? signed ? value.Value.ToString(CultureInfo.InvariantCulture) + "LL" : ((ulong)value.Value).ToString(CultureInfo.InvariantCulture) + "ULL"
                : signed ? ((int)value.Value).ToString(CultureInfo.InvariantCulture) : ((uint)value.Value).ToString(CultureInfo.InvariantCulture);
            Put($"\n{Indent(level + 1)}{enumerator} = {number},");
        }
        Put($"\n{Indent(level)}}}");
        // A one-byte enum, or an 8-byte one whose values would all fit an int, needs the compiler told its size.
        if (type.Size == 1) Put(" __attribute__((mode(byte)))");
        else if (type.Size == 8 && (type.Kind == BtfKind.Enum || type.EnumValues.All(v => (ulong)v.Value >> 32 == 0 || (v.Value < 0 && v.Value >= int.MinValue))))
            Put(" __attribute__((mode(word)))");
    }

    private void WriteStruct(uint id, BtfType type, int level)
    {
        bool isStruct = type.Kind == BtfKind.Struct;
        bool packed = isStruct && IsPacked(type);
        WriteStructForward(id, type);
        Put(" {");
        long offset = 0;
        bool previousBitfield = false;
        foreach (var member in type.Members)
        {
            int alignment = packed ? 1 : AlignmentOf(member.TypeId);
            bool inBitfield = previousBitfield && member.BitfieldSize != 0;
            WritePadding(offset, member.BitOffset, alignment, inBitfield, level + 1);
            Put("\n" + Indent(level + 1));
            WriteDeclaration(member.TypeId, member.Name, level + 1);
            if (member.BitfieldSize != 0)
            {
                Put(": " + member.BitfieldSize.ToString(CultureInfo.InvariantCulture));
                offset = member.BitOffset + member.BitfieldSize;
            }
            else offset = member.BitOffset + 8L * (_btf.TryGetSize(member.TypeId, out uint size, out _) ? size : 0);
            previousBitfield = member.BitfieldSize != 0;
            Put(";");
        }
        if (isStruct) WritePadding(offset, 8L * type.Size, packed ? 1 : AlignmentOf(id), inBitfield: false, level + 1);
        if (type.Members.Count > 0 || type.Size > 0) Put("\n" + Indent(level));
        Put("}");
        if (packed) Put(" __attribute__((packed))");
    }

    /// <summary>
    /// Fills the gap from bit <paramref name="current"/> to bit <paramref name="next"/> with unnamed bitfields, relying
    /// on the compiler's natural alignment where it gives the same layout (libbpf's approach): first the largest of
    /// long/int/short/char whose boundary falls inside the gap, then whole units of it, then the smallest remainder.
    /// </summary>
    private void WritePadding(long current, long next, int nextAlignment, bool inBitfield, int level)
    {
        if (current >= next) return;
        (string Name, int Bits)[] pads = [("long", PointerSize * 8), ("int", 32), ("short", 16), ("char", 8)];
        long aligned = 0;
        var pad = pads[^1];
        foreach (var candidate in pads)
        {
            pad = candidate;
            aligned = RoundUp(current, candidate.Bits);
            if (aligned <= next) break;
        }
        if (aligned > current && aligned <= next)
        {
            // An explicit `type: 0` forces the boundary when the next member would not land on it by itself, or when
            // the following `type: N` would otherwise fit in the hole before it and the compiler would put it there.
            if (inBitfield || (aligned == next && RoundUp(current, nextAlignment * 8L) != aligned) ||
                (aligned != next && next - aligned <= aligned - current))
                Put($"\n{Indent(level)}{pad.Name}: {(inBitfield ? aligned - current : 0)};");
            current = aligned;
        }
        while (current != next)
        {
            long bits = Math.Min(next - current, pad.Bits);
            if (bits == pad.Bits)
            {
                Put($"\n{Indent(level)}{pad.Name}: {pad.Bits};");
                current += bits;
                continue;
            }
            // The last piece: the smallest type that holds it says best how small the gap is.
            var smallest = pads.Last(p => p.Bits >= bits);
            Put($"\n{Indent(level)}{smallest.Name}: {bits};");
            current += bits;
        }
    }

    private static long RoundUp(long value, long unit) => (value + unit - 1) / unit * unit;

    /// <summary>A struct is packed when a non-bitfield member sits off its natural alignment or its size is not a multiple of it.</summary>
    private bool IsPacked(BtfType type)
    {
        int maximum = 1;
        foreach (var member in type.Members)
        {
            int alignment = AlignmentOf(member.TypeId);
            if (alignment > 0 && member.BitfieldSize == 0 && member.BitOffset % (8u * (uint)alignment) != 0) return true;
            maximum = Math.Max(maximum, alignment);
        }
        return type.Size % maximum != 0;
    }

    /// <summary>The C alignment of a type (libbpf's btf__align_of): 1 for a struct that must be packed.</summary>
    private int AlignmentOf(uint id)
    {
        for (int depth = 0; depth < 64; depth++)
        {
            var type = _btf.TypeById(id);
            switch (type?.Kind)
            {
                case BtfKind.Int or BtfKind.Enum or BtfKind.Enum64 or BtfKind.Float:
                    return (int)Math.Min(PointerSize, type.Size);
                case BtfKind.Pointer:
                    return PointerSize;
                case BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag:
                    id = type.ReferencedTypeId;
                    continue;
                case BtfKind.Array:
                    id = type.Array!.Value.ElementTypeId;
                    continue;
                case BtfKind.Struct or BtfKind.Union:
                    int maximum = 1;
                    foreach (var member in type.Members)
                    {
                        int alignment = AlignmentOf(member.TypeId);
                        maximum = Math.Max(maximum, alignment);
                        if (member.BitfieldSize == 0 && alignment > 0 && member.BitOffset % (8u * (uint)alignment) != 0) return 1;
                    }
                    return type.Size % maximum != 0 ? 1 : maximum;
                default:
                    return 1;
            }
        }
        return 1;
    }

    /// <summary>
    /// Writes "<paramref name="id"/> <paramref name="name"/>" as a C declaration: the chain of pointers, arrays,
    /// qualifiers and function prototypes from <paramref name="id"/> down to a named or base type, inside out.
    /// </summary>
    private void WriteDeclaration(uint id, string name, int level)
    {
        var chain = new List<uint>();
        for (int depth = 0; depth < 256; depth++)
        {
            chain.Add(id);
            var type = _btf.TypeById(id);
            if (type is null || type.Kind == BtfKind.Void) break;
            if (type.Kind is BtfKind.Pointer or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.FunctionProto or BtfKind.TypeTag)
                id = type.ReferencedTypeId;
            else if (type.Kind == BtfKind.Array)
                id = type.Array!.Value.ElementTypeId;
            else break;
        }
        WriteChain(chain, name, level);
    }

    // The chain is consumed from its end (the base type) outwards, as the C declarator reads.
    private void WriteChain(List<uint> chain, string name, int level)
    {
        bool lastWasPointer = true;
        while (chain.Count > 0)
        {
            uint id = Pop(chain);
            var type = _btf.TypeById(id);
            if (id == 0 || type is null || type.Kind == BtfKind.Void)
            {
                WriteQualifiers(chain);
                Put("void");
                lastWasPointer = false;
                continue;
            }
            switch (type.Kind)
            {
                case BtfKind.Int or BtfKind.Float:
                    WriteQualifiers(chain);
                    Put(type.Name);
                    break;
                case BtfKind.Struct or BtfKind.Union:
                    WriteQualifiers(chain);
                    if (type.Name.Length == 0) WriteStruct(id, type, level); // anonymous: inline
                    else WriteStructForward(id, type);
                    break;
                case BtfKind.Enum or BtfKind.Enum64:
                    WriteQualifiers(chain);
                    if (type.Name.Length == 0) WriteEnum(id, type, level);
                    else Put("enum " + TypeName(id));
                    break;
                case BtfKind.Forward:
                    WriteQualifiers(chain);
                    WriteForwardKind(id, type);
                    break;
                case BtfKind.Typedef:
                    WriteQualifiers(chain);
                    Put(IdentifierName(id));
                    break;
                case BtfKind.Pointer:
                    Put(lastWasPointer ? "*" : " *");
                    break;
                case BtfKind.Volatile:
                    Put(" volatile");
                    break;
                case BtfKind.Const:
                    Put(" const");
                    break;
                case BtfKind.Restrict:
                    Put(" restrict");
                    break;
                case BtfKind.TypeTag:
                    WriteQualifiers(chain);
                    Put($" __attribute__((btf_type_tag(\"{type.Name}\")))");
                    break;
                case BtfKind.Array:
                    // Qualifiers on an array (GCC puts its elements' there) mean nothing in C: dropped.
                    DropQualifiers(chain);
                    uint count = type.Array!.Value.Count;
                    if (chain.Count == 0)
                    {
                        WriteName(name, lastWasPointer);
                        Put($"[{count}]");
                        return;
                    }
                    bool multidimensional = _btf.TypeById(chain[^1])?.Kind == BtfKind.Array;
                    if (name.Length > 0 && !lastWasPointer) Put(" ");
                    if (!multidimensional) Put("(");
                    WriteChain(chain, name, level);
                    if (!multidimensional) Put(")");
                    Put($"[{count}]");
                    return;
                case BtfKind.FunctionProto:
                    DropQualifiers(chain);
                    if (chain.Count > 0)
                    {
                        Put(" (");
                        WriteChain(chain, name, level);
                        Put(")");
                    }
                    else WriteName(name, lastWasPointer);
                    WriteParameters(type, level);
                    return;
            }
            lastWasPointer = type.Kind == BtfKind.Pointer;
        }
        WriteName(name, lastWasPointer);
    }

    private void WriteParameters(BtfType proto, int level)
    {
        var parameters = proto.Parameters;
        // clang writes `f(void)` as one void parameter.
        if (parameters.Count == 0 || (parameters.Count == 1 && parameters[0].TypeId == 0))
        {
            Put("(void)");
            return;
        }
        Put("(");
        for (int i = 0; i < parameters.Count; i++)
        {
            if (i > 0) Put(", ");
            if (i == parameters.Count - 1 && parameters[i].TypeId == 0)
            {
                Put("..."); // a trailing void parameter marks varargs
                break;
            }
            WriteDeclaration(parameters[i].TypeId, parameters[i].Name, level);
        }
        Put(")");
    }

    private void WriteName(string name, bool lastWasPointer)
    {
        if (name.Length > 0 && !lastWasPointer) Put(" ");
        Put(name);
    }

    private static uint Pop(List<uint> chain)
    {
        uint id = chain[^1];
        chain.RemoveAt(chain.Count - 1);
        return id;
    }

    private void WriteQualifiers(List<uint> chain)
    {
        while (chain.Count > 0)
        {
            switch (_btf.TypeById(chain[^1])?.Kind)
            {
                case BtfKind.Volatile: Put("volatile "); break;
                case BtfKind.Const: Put("const "); break;
                case BtfKind.Restrict: Put("restrict "); break;
                default: return;
            }
            chain.RemoveAt(chain.Count - 1);
        }
    }

    private void DropQualifiers(List<uint> chain)
    {
        while (chain.Count > 0 && _btf.TypeById(chain[^1])?.Kind is BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag)
            chain.RemoveAt(chain.Count - 1);
    }
}
