namespace Sluice.Bpf.Object;

/// <summary>
/// One BTF type. The common fields are always set; the kind-specific lists are empty unless the kind has them
/// (<see cref="Members"/> for struct/union, <see cref="EnumValues"/> for enum/enum64, <see cref="Parameters"/> for
/// func_proto, <see cref="Variables"/> for datasec).
/// </summary>
public sealed class BtfType
{
    /// <summary>Type id (1-based; 0 is void).</summary>
    public uint Id { get; init; }

    /// <summary>Kind.</summary>
    public BtfKind Kind { get; init; }

    /// <summary>Name ("" for anonymous types).</summary>
    public string Name { get; init; } = "";

    /// <summary>The kind_flag bit (bitfield encoding for structs, union for forwards, ...).</summary>
    public bool KindFlag { get; init; }

    /// <summary>
    /// Byte size for int, struct, union, enum, enum64, float and datasec; 0 for the others (see <see cref="ReferencedTypeId"/>).
    /// </summary>
    public uint Size { get; internal set; }

    /// <summary>
    /// The type this one refers to: pointee, typedef/const/volatile/restrict/type_tag target, function's prototype,
    /// variable's type, func_proto's return type, decl_tag's target; 0 otherwise.
    /// </summary>
    public uint ReferencedTypeId { get; init; }

    /// <summary>INT: encoding bits (1 signed, 2 char, 4 bool).</summary>
    public byte IntEncoding { get; init; }

    /// <summary>INT: number of value bits.</summary>
    public byte IntBits { get; init; }

    /// <summary>INT: bit offset of the value.</summary>
    public byte IntOffset { get; init; }

    /// <summary>ARRAY: element type, index type and element count.</summary>
    public BtfArray? Array { get; init; }

    /// <summary>FUNC: linkage (0 static, 1 global, 2 extern); VAR: linkage (0 static, 1 global, 2 extern).</summary>
    public uint Linkage { get; internal set; }

    /// <summary>DECL_TAG: the member/parameter index the tag applies to, -1 for the type itself.</summary>
    public int ComponentIndex { get; init; }

    /// <summary>STRUCT/UNION members.</summary>
    public IReadOnlyList<BtfMember> Members { get; init; } = [];

    /// <summary>ENUM/ENUM64 values.</summary>
    public IReadOnlyList<BtfEnumValue> EnumValues { get; init; } = [];

    /// <summary>FUNC_PROTO parameters.</summary>
    public IReadOnlyList<BtfParameter> Parameters { get; init; } = [];

    /// <summary>DATASEC entries, as in <see cref="BtfSpec.RawData"/> (offsets fixed up, sorted by offset).</summary>
    public IReadOnlyList<BtfDataSectionEntry> Variables { get; internal set; } = [];

    /// <summary>Byte offset of this type's record inside the type section (for in-place fix-ups).</summary>
    internal int RecordOffset { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"[{Id}] {Kind} '{Name}'";
}

/// <summary>A struct or union member; <paramref name="BitOffset"/> and <paramref name="BitfieldSize"/> already decoded from kind_flag.</summary>
public readonly record struct BtfMember(string Name, uint TypeId, uint BitOffset, uint BitfieldSize);

/// <summary>An enumerator: 32-bit values are sign-extended when the enum's kind_flag says signed; 64-bit values keep their bits.</summary>
public readonly record struct BtfEnumValue(string Name, long Value);

/// <summary>A function prototype parameter (an unnamed trailing void parameter marks varargs).</summary>
public readonly record struct BtfParameter(string Name, uint TypeId);

/// <summary>A DATASEC entry: variable (or function, for .ksyms) type id, offset in the section and size.</summary>
public readonly record struct BtfDataSectionEntry(uint TypeId, uint Offset, uint Size);

/// <summary>An array's element type, index type and element count.</summary>
public readonly record struct BtfArray(uint ElementTypeId, uint IndexTypeId, uint Count);
