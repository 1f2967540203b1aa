using Sluice.Bpf.Object;

namespace Sluice.Bpf.Generator;

/// <summary>
/// Maps BTF types to C# type names and remembers every struct, union, enum and fixed-size array that must be
/// generated for them. C integers become the C# integer of the same size and sign, pointers become ulong (user
/// space cannot follow a BPF pointer), _Bool and char become byte, arrays become [InlineArray] structs. A C name
/// in <paramref name="renames"/> (the object's TypeNames) gets the C# name given there instead of its PascalCase.
/// </summary>
internal sealed class CSharpTypeMapper(BtfSpec btf, NameScope typeNames, IReadOnlyDictionary<string, string> renames)
{
    private readonly Dictionary<uint, string> _named = [];
    private readonly Dictionary<string, (string Element, uint Count)> _arrays = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Element, uint Count), string> _arrayNames = [];
    private readonly Queue<uint> _pending = new();

    internal BtfSpec Btf => btf;

    /// <summary>Arrays to generate: C# name → element type and count.</summary>
    internal IReadOnlyDictionary<string, (string Element, uint Count)> Arrays => _arrays;

    /// <summary>The next struct, union or enum (by BTF id) that was referenced but not yet emitted.</summary>
    internal bool TryDequeue(out uint id)
    {
        if (_pending.Count > 0) { id = _pending.Dequeue(); return true; }
        id = 0;
        return false;
    }

    /// <summary>The C# names of the named C types (no kind: "flow_key") among <paramref name="cNames"/> that were generated.</summary>
    internal IEnumerable<string> Roots(ISet<string> cNames) =>
        _named.Where(named => cNames.Contains(btf.TypeById(named.Key)!.Name)).Select(named => named.Value);

    /// <summary>The C# name given to struct, union or enum <paramref name="id"/>.</summary>
    internal string NameOf(uint id) => _named[id];

    /// <summary>
    /// The C# type for BTF type <paramref name="id"/>, or null with a reason when there is none (void, functions,
    /// forward declarations, flexible arrays). <paramref name="context"/> names anonymous types.
    /// </summary>
    internal string? Resolve(uint id, string context, out string? problem)
    {
        problem = null;
        string? typedefName = null;
        var type = btf.TypeById(id);
        for (int depth = 0; type is not null && depth < 64; depth++)
        {
            if (type.Kind is not (BtfKind.Typedef or BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.TypeTag)) break;
            if (type.Kind == BtfKind.Typedef) typedefName ??= type.Name;
            type = btf.TypeById(type.ReferencedTypeId);
        }
        switch (type?.Kind)
        {
            case null or BtfKind.Void:
                problem = "void";
                return null;
            case BtfKind.Int:
                return Integer(type.Size, (type.IntEncoding & 1) != 0 && (type.IntEncoding & 4) == 0, context);
            case BtfKind.Float:
                return type.Size switch { 4 => "float", 8 => "double", _ => Bytes(type.Size) };
            case BtfKind.Pointer:
                return "ulong";
            case BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64:
                return Named(type, typedefName, context);
            case BtfKind.Array:
                var array = type.Array!.Value;
                if (array.Count == 0)
                {
                    problem = "flexible array member";
                    return null;
                }
                string? element = Resolve(array.ElementTypeId, context, out problem);
                return element is null ? null : ArrayOf(element, array.Count);
            default:
                problem = $"{btf.TypeName(type.Id)} has no C# equivalent";
                return null;
        }
    }

    /// <summary>An [InlineArray] of <paramref name="size"/> bytes: opaque storage that keeps layouts exact.</summary>
    internal string Bytes(uint size) => ArrayOf("byte", size);

    private string Integer(uint size, bool signed, string context) => size switch
    {
        1 => signed ? "sbyte" : "byte",
        2 => signed ? "short" : "ushort",
        4 => signed ? "int" : "uint",
        8 => signed ? "long" : "ulong",
        _ => Bytes(size),
    };

    private string ArrayOf(string element, uint count)
    {
        if (_arrayNames.TryGetValue((element, count), out var known)) return known;
        string name = typeNames.Claim($"{ShortName(element)}Array{count}");
        _arrayNames[(element, count)] = name;
        _arrays[name] = (element, count);
        return name;
    }

    private string Named(BtfType type, string? typedefName, string context)
    {
        if (_named.TryGetValue(type.Id, out var known)) return known;
        string baseName = renames.TryGetValue(type.Name, out var renamed) && type.Name.Length > 0 ? renamed
            : typedefName is not null && renames.TryGetValue(typedefName, out renamed) ? renamed
            : type.Name.Length > 0 ? CSharpNames.Pascal(type.Name)
            : typedefName is not null ? CSharpNames.Pascal(typedefName)
            : context;
        string name = typeNames.Claim(baseName, type.Kind is BtfKind.Enum or BtfKind.Enum64 ? "Enum" : "");
        _named[type.Id] = name;
        _pending.Enqueue(type.Id);
        return name;
    }

    private static string ShortName(string csharpType) => csharpType switch
    {
        "byte" => "Byte", "sbyte" => "SByte", "short" => "Int16", "ushort" => "UInt16", "int" => "Int32",
        "uint" => "UInt32", "long" => "Int64", "ulong" => "UInt64", "float" => "Single", "double" => "Double",
        _ => csharpType,
    };
}
