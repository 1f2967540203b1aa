using System.Text;
using static Sluice.Bpf.Object.Core.CoreTypeCompatibility;

namespace Sluice.Bpf.Object.Core;

/// <summary>One step of an access path: a named member (Name set, TypeId = its struct/union) or an array element / the root (Name null).</summary>
internal readonly record struct CoreAccessor(uint TypeId, int Index, string? Name);

/// <summary>
/// An access string walked through one BTF (libbpf's bpf_core_spec): the accessors that name something (anonymous
/// members fold into the bit offset), and the bit offset of the final field from the root pointer.
/// </summary>
internal sealed class CoreAccessSpec
{
    private const int MaxLength = 64;

    private CoreAccessSpec(BtfSpec btf, uint rootTypeId, CoreRelocationKind kind)
    {
        Btf = btf;
        RootTypeId = rootTypeId;
        Kind = kind;
    }

    public BtfSpec Btf { get; }
    public uint RootTypeId { get; }
    public CoreRelocationKind Kind { get; }
    public List<CoreAccessor> Accessors { get; } = [];
    public long BitOffset { get; private set; }

    public static bool IsFieldBased(CoreRelocationKind kind) => kind <= CoreRelocationKind.FieldRShiftU64;

    public static bool IsEnumBased(CoreRelocationKind kind) => kind is CoreRelocationKind.EnumValueExists or CoreRelocationKind.EnumValueValue;

    /// <summary>Walks <paramref name="access"/> ("0:1:2") from <paramref name="typeId"/> in the object's BTF (bpf_core_parse_spec).</summary>
    /// <exception cref="FormatException">The access string does not fit the type.</exception>
    public static CoreAccessSpec ParseLocal(BtfSpec btf, uint typeId, string access, CoreRelocationKind kind)
    {
        var raw = ParseIndexes(access);
        var spec = new CoreAccessSpec(btf, typeId, kind);
        if (!IsFieldBased(kind) && !IsEnumBased(kind))
        {
            if (raw is not [0]) throw new FormatException($"type relocation has access string '{access}', expected '0'");
            return spec;
        }
        var (id, type) = Skip(btf, typeId);
        if (type is null) throw new FormatException($"relocation of type {typeId} ({btf.TypeName(typeId)}) resolves to void");
        if (IsEnumBased(kind))
        {
            if (!IsEnum(type) || raw.Length != 1 || raw[0] >= type.EnumValues.Count)
                throw new FormatException($"enum relocation '{access}' does not name an enumerator of {btf.TypeName(typeId)}");
            spec.Accessors.Add(new CoreAccessor(id, raw[0], type.EnumValues[raw[0]].Name));
            return spec;
        }

        spec.Accessors.Add(new CoreAccessor(id, raw[0], null));
        spec.BitOffset = (long)raw[0] * Size(btf, id) * 8;
        for (int i = 1; i < raw.Length; i++)
        {
            (id, type) = Skip(btf, id);
            int index = raw[i];
            if (IsComposite(type))
            {
                if (index >= type!.Members.Count)
                    throw new FormatException($"'{access}': member {index} of {btf.TypeName(id)} does not exist ({type.Members.Count} members)");
                var member = type.Members[index];
                spec.BitOffset += member.BitOffset;
                if (member.Name.Length > 0) spec.Accessors.Add(new CoreAccessor(id, index, member.Name));
                id = member.TypeId;
            }
            else if (type?.Kind == BtfKind.Array)
            {
                var array = type.Array!.Value;
                bool flexible = IsFlexibleArray(btf, spec.Accessors[^1], array);
                (id, var element) = Skip(btf, array.ElementTypeId);
                if (element is null) throw new FormatException($"'{access}': array of void in {btf.TypeName(type.Id)}");
                if (!flexible && index >= array.Count)
                    throw new FormatException($"'{access}': index {index} is beyond {btf.TypeName(type.Id)}");
                spec.Accessors.Add(new CoreAccessor(id, index, null));
                spec.BitOffset += (long)index * Size(btf, id) * 8;
            }
            else
            {
                throw new FormatException($"'{access}': step {i} goes into {(type is null ? "void" : btf.TypeName(type.Id))}, which is neither a struct, a union nor an array");
            }
        }
        return spec;
    }

    /// <summary>
    /// The same path in a target BTF from candidate <paramref name="targetId"/> (bpf_core_spec_match): members by
    /// name (searching through anonymous members), arrays by index; null when the candidate does not have it.
    /// </summary>
    public CoreAccessSpec? Match(BtfSpec target, uint targetId)
    {
        var spec = new CoreAccessSpec(target, targetId, Kind);
        if (!IsFieldBased(Kind) && !IsEnumBased(Kind))
        {
            bool found = Kind == CoreRelocationKind.TypeMatches
                ? TypesMatch(Btf, RootTypeId, target, targetId)
                : TypesCompatible(Btf, RootTypeId, target, targetId);
            return found ? spec : null;
        }
        if (IsEnumBased(Kind))
        {
            var (enumId, enumType) = Skip(target, targetId);
            if (!IsEnum(enumType)) return null;
            string wanted = BtfSpec.EssentialName(Accessors[0].Name!);
            for (int i = 0; i < enumType!.EnumValues.Count; i++)
                if (BtfSpec.EssentialName(enumType.EnumValues[i].Name) == wanted)
                {
                    spec.Accessors.Add(new CoreAccessor(enumId, i, enumType.EnumValues[i].Name));
                    return spec;
                }
            return null;
        }

        uint id = targetId;
        for (int i = 0; i < Accessors.Count; i++)
        {
            var local = Accessors[i];
            if (i == 0)
            {
                (id, _) = Skip(target, id);
                spec.Accessors.Add(new CoreAccessor(id, local.Index, null));
                spec.BitOffset = (long)local.Index * Size(target, id) * 8;
                continue;
            }
            if (local.Name is not null)
            {
                var localMember = Btf.TypeById(local.TypeId)!.Members[local.Index];
                if (spec.MatchMember(Btf, localMember, id, depth: 0) is not { } next) return null;
                id = next;
            }
            else
            {
                var (_, arrayType) = Skip(target, id);
                if (arrayType?.Kind != BtfKind.Array) return null;
                var array = arrayType.Array!.Value;
                bool flexible = IsFlexibleArray(target, spec.Accessors[^1], array);
                if (!flexible && local.Index >= array.Count) return null;
                (id, var element) = Skip(target, array.ElementTypeId);
                if (element is null) return null;
                spec.Accessors.Add(new CoreAccessor(id, local.Index, null));
                spec.BitOffset += (long)local.Index * Size(target, id) * 8;
            }
        }
        return spec;
    }

    /// <summary>Finds <paramref name="localMember"/> by name in composite <paramref name="compositeId"/>, descending into anonymous members.</summary>
    private uint? MatchMember(BtfSpec local, BtfMember localMember, uint compositeId, int depth)
    {
        var (id, composite) = Skip(Btf, compositeId);
        if (!IsComposite(composite) || depth > MaxLength) return null;
        for (int i = 0; i < composite!.Members.Count; i++)
        {
            var member = composite.Members[i];
            BitOffset += member.BitOffset;
            if (member.Name.Length == 0)
            {
                if (MatchMember(local, localMember, member.TypeId, depth + 1) is { } found) return found;
            }
            else if (member.Name == localMember.Name)
            {
                if (!FieldsCompatible(local, localMember.TypeId, Btf, member.TypeId)) return null;
                Accessors.Add(new CoreAccessor(id, i, member.Name));
                return member.TypeId;
            }
            BitOffset -= member.BitOffset;
        }
        return null;
    }

    /// <summary>"struct task_struct.pid", "struct sk_buff.cb[2]", "enum foo::BAR": what the relocation reads, for messages.</summary>
    public string Describe()
    {
        var text = new StringBuilder(Btf.TypeName(RootTypeId));
        if (IsEnumBased(Kind))
            return text.Append("::").Append(Accessors[0].Name).ToString();
        if (!IsFieldBased(Kind)) return text.ToString();
        if (Accessors.Count > 0 && Accessors[0].Index != 0) text.Append('[').Append(Accessors[0].Index).Append(']');
        for (int i = 1; i < Accessors.Count; i++)
        {
            if (Accessors[i].Name is { } name) text.Append('.').Append(name);
            else text.Append('[').Append(Accessors[i].Index).Append(']');
        }
        return text.ToString();
    }

    private static bool IsFlexibleArray(BtfSpec btf, CoreAccessor parent, BtfArray array) =>
        parent.Name is not null && array.Count == 0 && parent.Index == btf.TypeById(parent.TypeId)!.Members.Count - 1;

    private static uint Size(BtfSpec btf, uint id) =>
        btf.TryGetSize(id, out uint size, out string? problem) ? size : throw new FormatException(problem);

    private static int[] ParseIndexes(string access)
    {
        if (access.Length == 0) throw new FormatException("empty access string");
        var parts = access.Split(':');
        if (parts.Length > MaxLength) throw new FormatException($"access string '{access}' is longer than {MaxLength} steps");
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out result[i]))
                throw new FormatException($"access string '{access}' is not a list of numbers");
        return result;
    }
}
