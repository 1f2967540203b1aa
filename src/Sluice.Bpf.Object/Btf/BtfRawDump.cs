using System.Globalization;
using System.Text;

namespace Sluice.Bpf.Object;

/// <summary>
/// Writes BTF types one per line the way `bpftool btf dump ... format raw` does: "[id] KIND 'name' fields", with
/// members, parameters, enum values and datasec entries on indented lines below.
/// </summary>
public static class BtfRawDump
{
    /// <summary>Every type of <paramref name="btf"/> from <paramref name="firstId"/> on (1 for a whole BTF; a split BTF's own types start after its base).</summary>
    public static void Write(BtfSpec btf, TextWriter output, uint firstId = 1)
    {
        ArgumentNullException.ThrowIfNull(btf);
        ArgumentNullException.ThrowIfNull(output);
        for (uint id = Math.Max(firstId, 1); id < (uint)btf.Types.Count; id++)
            output.WriteLine(Format(btf, btf.TypeById(id)!));
    }

    /// <summary>One type in bpftool's raw notation (multi-line for kinds with members).</summary>
    public static string Format(BtfSpec btf, BtfType type)
    {
        ArgumentNullException.ThrowIfNull(btf);
        ArgumentNullException.ThrowIfNull(type);
        var text = new StringBuilder().Append(FormattableString.Invariant($"[{type.Id}] {KindName(type.Kind)} '{(type.Name.Length == 0 ? "(anon)" : type.Name)}'"));
        switch (type.Kind)
        {
            case BtfKind.Int:
                text.Append(FormattableString.Invariant($" size={type.Size} bits_offset={type.IntOffset} nr_bits={type.IntBits} encoding={IntEncoding(type.IntEncoding)}"));
                break;
            case BtfKind.Pointer or BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag:
                text.Append(FormattableString.Invariant($" type_id={type.ReferencedTypeId}"));
                break;
            case BtfKind.Array:
                var array = type.Array!.Value;
                text.Append(FormattableString.Invariant($" type_id={array.ElementTypeId} index_type_id={array.IndexTypeId} nr_elems={array.Count}"));
                break;
            case BtfKind.Struct or BtfKind.Union:
                text.Append(FormattableString.Invariant($" size={type.Size} vlen={type.Members.Count}"));
                foreach (var member in type.Members)
                {
                    text.Append(FormattableString.Invariant($"\n\t'{(member.Name.Length == 0 ? "(anon)" : member.Name)}' type_id={member.TypeId} bits_offset={member.BitOffset}"));
                    if (member.BitfieldSize != 0) text.Append(FormattableString.Invariant($" bitfield_size={member.BitfieldSize}"));
                }
                break;
            case BtfKind.Enum or BtfKind.Enum64:
                text.Append(FormattableString.Invariant($" encoding={(type.KindFlag ? "SIGNED" : "UNSIGNED")} size={type.Size} vlen={type.EnumValues.Count}"));
                foreach (var value in type.EnumValues)
                {
                    // Unsigned enums print their values unsigned, at the enum's width; 64-bit ones carry C's suffix.
                    string number = type.KindFlag ? value.Value.ToString(CultureInfo.InvariantCulture)
                        : type.Kind == BtfKind.Enum ? ((uint)value.Value).ToString(CultureInfo.InvariantCulture)
                        : ((ulong)value.Value).ToString(CultureInfo.InvariantCulture);
                    if (type.Kind == BtfKind.Enum64) number += type.KindFlag ? "LL" : "ULL";
                    text.Append(FormattableString.Invariant($"\n\t'{value.Name}' val={number}"));
                }
                break;
            case BtfKind.Forward:
                text.Append(type.KindFlag ? " fwd_kind=union" : " fwd_kind=struct");
                break;
            case BtfKind.Function:
                text.Append(FormattableString.Invariant($" type_id={type.ReferencedTypeId} linkage={Linkage(type.Linkage)}"));
                break;
            case BtfKind.FunctionProto:
                text.Append(FormattableString.Invariant($" ret_type_id={type.ReferencedTypeId} vlen={type.Parameters.Count}"));
                foreach (var parameter in type.Parameters)
                    text.Append(FormattableString.Invariant($"\n\t'{(parameter.Name.Length == 0 ? "(anon)" : parameter.Name)}' type_id={parameter.TypeId}"));
                break;
            case BtfKind.Variable:
                text.Append(FormattableString.Invariant($" type_id={type.ReferencedTypeId}, linkage={Linkage(type.Linkage)}"));
                break;
            case BtfKind.DataSection:
                text.Append(FormattableString.Invariant($" size={type.Size} vlen={type.Variables.Count}"));
                foreach (var entry in type.Variables)
                {
                    var variable = btf.TypeById(entry.TypeId);
                    text.Append(FormattableString.Invariant($"\n\ttype_id={entry.TypeId} offset={entry.Offset} size={entry.Size}"));
                    if (variable is not null) text.Append(FormattableString.Invariant($" ({KindName(variable.Kind)} '{variable.Name}')"));
                }
                break;
            case BtfKind.Float:
                text.Append(FormattableString.Invariant($" size={type.Size}"));
                break;
            case BtfKind.DeclarationTag:
                text.Append(FormattableString.Invariant($" type_id={type.ReferencedTypeId} component_idx={type.ComponentIndex}"));
                break;
        }
        return text.ToString();
    }

    private static string KindName(BtfKind kind) => kind switch
    {
        BtfKind.Int => "INT",
        BtfKind.Pointer => "PTR",
        BtfKind.Array => "ARRAY",
        BtfKind.Struct => "STRUCT",
        BtfKind.Union => "UNION",
        BtfKind.Enum => "ENUM",
        BtfKind.Forward => "FWD",
        BtfKind.Typedef => "TYPEDEF",
        BtfKind.Volatile => "VOLATILE",
        BtfKind.Const => "CONST",
        BtfKind.Restrict => "RESTRICT",
        BtfKind.Function => "FUNC",
        BtfKind.FunctionProto => "FUNC_PROTO",
        BtfKind.Variable => "VAR",
        BtfKind.DataSection => "DATASEC",
        BtfKind.Float => "FLOAT",
        BtfKind.DeclarationTag => "DECL_TAG",
        BtfKind.TypeTag => "TYPE_TAG",
        BtfKind.Enum64 => "ENUM64",
        _ => "UNKN",
    };

    private static string IntEncoding(byte encoding) => encoding switch
    {
        1 => "SIGNED",
        2 => "CHAR",
        4 => "BOOL",
        0 => "(none)",
        _ => "UNKN",
    };

    private static string Linkage(uint linkage) => linkage switch
    {
        0 => "static",
        1 => "global",
        2 => "extern",
        _ => "(unknown)",
    };
}
