using System.Text;
using Sluice.Bpf.Object.Btf;

namespace Sluice.Bpf.Object;

/// <summary>
/// Parsed BTF: of an object (the raw blob as the kernel's BPF_BTF_LOAD wants it, fixed up), or of a kernel
/// (vmlinux, or a module's split BTF on top of it). Types are made from their records when first asked for, and
/// names are indexed on the first lookup, so even a kernel's BTF costs little until used.
/// </summary>
public sealed partial class BtfSpec
{
    private const int MaxChainDepth = 64;

    /// <summary>The BTF blob (header, types, strings); for object BTF, with DATASEC fix-ups applied.</summary>
    public required byte[] RawData { get; init; }

    /// <summary>
    /// All types indexed by id; index 0 is the implicit void type. For split BTF the list starts with the base's
    /// types, so ids are the kernel's.
    /// </summary>
    public IReadOnlyList<BtfType> Types { get; internal set; } = [];

    /// <summary>The base BTF (vmlinux) this split BTF (a kernel module's) continues; null for standalone BTF.</summary>
    public BtfSpec? Base { get; init; }

    /// <summary>The object's file name, to prefix error messages.</summary>
    internal string ObjectName { get; init; } = "BTF";

    /// <summary>Byte offset of the type section inside <see cref="RawData"/>.</summary>
    internal int TypesOffset { get; init; }

    /// <summary>Byte offset of the string section inside <see cref="RawData"/>.</summary>
    internal int StringsOffset { get; init; }

    /// <summary>Byte length of the string section.</summary>
    internal int StringsLength { get; init; }

    /// <summary>The type with id <paramref name="id"/>, or null when there is none.</summary>
    public BtfType? TypeById(uint id) => id < (uint)Types.Count ? Types[(int)id] : null;

    /// <summary>The string at <paramref name="offset"/> in the string section, or null when the offset is invalid.</summary>
    /// <remarks>Split BTF's offsets continue the base's: those below the base's string length are the base's strings.</remarks>
    public string? StringAt(uint offset)
    {
        if (Base is not null)
        {
            if (offset < (uint)Base.StringsLength) return Base.StringAt(offset);
            offset -= (uint)Base.StringsLength;
        }
        if (offset >= (uint)StringsLength) return null;
        var rest = RawData.AsSpan(StringsOffset + (int)offset, StringsLength - (int)offset);
        int end = rest.IndexOf((byte)0);
        return end < 0 ? null : Encoding.UTF8.GetString(rest[..end]);
    }

    /// <summary>
    /// Follows typedef, const, volatile, restrict and type_tag from <paramref name="id"/> to the underlying type
    /// (null for void or a broken chain).
    /// </summary>
    public BtfType? SkipQualifiers(uint id)
    {
        for (int depth = 0; depth < MaxChainDepth; depth++)
        {
            var type = TypeById(id);
            if (type is null || type.Kind == BtfKind.Void) return null;
            if (type.Kind is not (BtfKind.Typedef or BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.TypeTag))
                return type;
            id = type.ReferencedTypeId;
        }
        return null;
    }

    /// <summary>
    /// Size in bytes of type <paramref name="id"/>, resolved through typedefs, qualifiers, variables and arrays.
    /// </summary>
    /// <exception cref="BpfObjectException">The type has no size (void, function, forward) or the chain is broken.</exception>
    public uint SizeOf(uint id) =>
        TryGetSize(id, out uint size, out string? problem) ? size : throw Error(problem!);

    /// <summary><see cref="SizeOf"/> without the exception: false with a description of the problem.</summary>
    internal bool TryGetSize(uint id, out uint size, out string? problem)
    {
        ulong multiplier = 1;
        size = 0;
        problem = null;
        uint first = id;
        for (int depth = 0; depth < MaxChainDepth; depth++)
        {
            var type = TypeById(id);
            if (type is null)
            {
                problem = $"BTF type {id} does not exist ({Types.Count - 1} types)";
                return false;
            }
            switch (type.Kind)
            {
                case BtfKind.Int or BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64
                    or BtfKind.Float or BtfKind.DataSection:
                    return Fits(multiplier * type.Size, out size, out problem);
                case BtfKind.Pointer:
                    return Fits(multiplier * 8, out size, out problem);
                case BtfKind.Typedef or BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.TypeTag
                    or BtfKind.Variable:
                    id = type.ReferencedTypeId;
                    break;
                case BtfKind.Array:
                    // Both factors fit in 32 bits, so the product cannot overflow 64 before the check.
                    multiplier *= type.Array!.Value.Count;
                    if (multiplier > uint.MaxValue) return Fits(multiplier, out size, out problem);
                    id = type.Array.Value.ElementTypeId;
                    break;
                default:
                    problem = $"BTF type {type.Id} ({TypeName(type.Id)}) has no size";
                    return false;
            }
        }
        problem = $"BTF type chain from {first} is deeper than {MaxChainDepth}";
        return false;

        bool Fits(ulong bytes, out uint result, out string? why)
        {
            result = bytes <= uint.MaxValue ? (uint)bytes : 0;
            why = bytes <= uint.MaxValue ? null : $"BTF type {first} is larger than 4 GiB";
            return why is null;
        }
    }

    /// <summary>A C-like name for diagnostics, e.g. "struct flow_key", "const volatile __u32", "__u8[3]", "int *".</summary>
    public string TypeName(uint id)
    {
        // A budget of visited types, not just a depth: prototypes fan out, and corrupt BTF can loop.
        int budget = 64;
        return TypeName(id, ref budget);
    }

    private string TypeName(uint id, ref int budget)
    {
        if (--budget < 0) return "...";
        var type = TypeById(id);
        if (type is null) return $"<bad type {id}>";
        string Named(string fallback) => type.Name.Length > 0 ? type.Name : fallback;
        string Parameters(ref int budget)
        {
            var names = new List<string>();
            foreach (var parameter in type.Parameters)
            {
                if (budget <= 0) { names.Add("..."); break; }
                names.Add(TypeName(parameter.TypeId, ref budget));
            }
            return string.Join(", ", names);
        }
        return type.Kind switch
        {
            BtfKind.Void => "void",
            BtfKind.Int or BtfKind.Float or BtfKind.Typedef => type.Name,
            BtfKind.Struct => "struct " + Named("<anon>"),
            BtfKind.Union => "union " + Named("<anon>"),
            BtfKind.Enum or BtfKind.Enum64 => "enum " + Named("<anon>"),
            BtfKind.Forward => (type.KindFlag ? "union " : "struct ") + type.Name,
            BtfKind.Pointer => TypeName(type.ReferencedTypeId, ref budget) + " *",
            BtfKind.Const => "const " + TypeName(type.ReferencedTypeId, ref budget),
            BtfKind.Volatile => "volatile " + TypeName(type.ReferencedTypeId, ref budget),
            BtfKind.Restrict => TypeName(type.ReferencedTypeId, ref budget) + " restrict",
            BtfKind.TypeTag => $"{TypeName(type.ReferencedTypeId, ref budget)} __tag({type.Name})",
            BtfKind.Array => $"{TypeName(type.Array!.Value.ElementTypeId, ref budget)}[{type.Array.Value.Count}]",
            BtfKind.Function => "func " + type.Name,
            BtfKind.FunctionProto => $"{TypeName(type.ReferencedTypeId, ref budget)} (*)({Parameters(ref budget)})",
            BtfKind.Variable => $"var {type.Name}",
            BtfKind.DataSection => $"datasec {type.Name}",
            BtfKind.DeclarationTag => $"decl_tag {type.Name}",
            _ => $"<kind {(int)type.Kind}>",
        };
    }

    private BpfObjectException Error(string problem) => new($"{ObjectName}: {problem}");
}
