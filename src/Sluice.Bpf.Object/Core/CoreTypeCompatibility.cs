namespace Sluice.Bpf.Object.Core;

/// <summary>
/// libbpf's CO-RE notions of "compatible" (a local type may be read from a target type) and "matches" (the stricter
/// bpf_core_type_matches), on two BTFs. Recursion is bounded: corrupt or cyclic BTF ends in "no".
/// </summary>
internal static class CoreTypeCompatibility
{
    private const int MaxDepth = 32;

    /// <summary>The type after typedefs and qualifiers (void stays void, as type id 0).</summary>
    public static (uint Id, BtfType? Type) Skip(BtfSpec btf, uint id)
    {
        var type = btf.SkipQualifiers(id);
        return (type?.Id ?? 0, type);
    }

    public static bool IsComposite(BtfType? type) => type?.Kind is BtfKind.Struct or BtfKind.Union;

    public static bool IsEnum(BtfType? type) => type?.Kind is BtfKind.Enum or BtfKind.Enum64;

    /// <summary>Candidate kinds: equal, or both enums (enum and enum64 stand in for each other).</summary>
    public static bool KindsCompatible(BtfType a, BtfType b) => a.Kind == b.Kind || (IsEnum(a) && IsEnum(b));

    public static bool NamesMatch(string a, string b) => BtfSpec.EssentialName(a) == BtfSpec.EssentialName(b);

    /// <summary>libbpf bpf_core_types_are_compat: the relocation's root type against a candidate.</summary>
    public static bool TypesCompatible(BtfSpec local, uint localId, BtfSpec target, uint targetId, int depth = MaxDepth)
    {
        while (depth-- > 0)
        {
            var (_, l) = Skip(local, localId);
            var (_, t) = Skip(target, targetId);
            if (l is null || t is null) return l is null && t is null;
            if (!KindsCompatible(l, t)) return false;
            switch (l.Kind)
            {
                case BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64 or BtfKind.Forward:
                    return true;
                case BtfKind.Int:
                    return l.IntOffset == 0 && t.IntOffset == 0;
                case BtfKind.Float:
                    return l.Size == t.Size;
                case BtfKind.Pointer:
                    localId = l.ReferencedTypeId;
                    targetId = t.ReferencedTypeId;
                    continue;
                case BtfKind.Array:
                    localId = l.Array!.Value.ElementTypeId;
                    targetId = t.Array!.Value.ElementTypeId;
                    continue;
                case BtfKind.FunctionProto:
                    if (l.Parameters.Count != t.Parameters.Count) return false;
                    for (int i = 0; i < l.Parameters.Count; i++)
                        if (!TypesCompatible(local, l.Parameters[i].TypeId, target, t.Parameters[i].TypeId, depth))
                            return false;
                    localId = l.ReferencedTypeId;
                    targetId = t.ReferencedTypeId;
                    continue;
                default:
                    return false;
            }
        }
        return false;
    }

    /// <summary>libbpf bpf_core_fields_are_compat: a local member's type against the same-named target member's.</summary>
    public static bool FieldsCompatible(BtfSpec local, uint localId, BtfSpec target, uint targetId)
    {
        for (int depth = 0; depth < MaxDepth; depth++)
        {
            var (_, l) = Skip(local, localId);
            var (_, t) = Skip(target, targetId);
            if (l is null || t is null) return false;
            if (IsComposite(l) && IsComposite(t)) return true;
            if (!KindsCompatible(l, t)) return false;
            switch (l.Kind)
            {
                case BtfKind.Pointer or BtfKind.Float:
                    return true;
                case BtfKind.Forward or BtfKind.Enum or BtfKind.Enum64:
                    return NamesMatch(l.Name, t.Name);
                case BtfKind.Int:
                    return l.IntOffset == 0 && t.IntOffset == 0;
                case BtfKind.Array:
                    localId = l.Array!.Value.ElementTypeId;
                    targetId = t.Array!.Value.ElementTypeId;
                    continue;
                default:
                    return false;
            }
        }
        return false;
    }

    /// <summary>libbpf bpf_core_types_match (TYPE_MATCHES, libbpf 1.0): names, kinds, sizes, signedness and members agree.</summary>
    public static bool TypesMatch(BtfSpec local, uint localId, BtfSpec target, uint targetId, bool behindPointer = false, int depth = MaxDepth)
    {
        while (depth-- > 0)
        {
            var (_, l) = Skip(local, localId);
            var (_, t) = Skip(target, targetId);
            if (l is null || t is null) return l is null && t is null;
            if (!NamesMatch(l.Name, t.Name)) return false;
            switch (l.Kind)
            {
                case BtfKind.Forward:
                    if (behindPointer && t.Kind != BtfKind.Forward)
                        return (t.Kind == BtfKind.Struct && !l.KindFlag) || (t.Kind == BtfKind.Union && l.KindFlag);
                    return t.Kind == BtfKind.Forward && l.KindFlag == t.KindFlag;
                case BtfKind.Enum or BtfKind.Enum64:
                    return IsEnum(t) && l.Size == t.Size &&
                        l.EnumValues.All(v => t.EnumValues.Any(w => NamesMatch(v.Name, w.Name)));
                case BtfKind.Struct or BtfKind.Union:
                    if (behindPointer)
                        return l.Kind == t.Kind || (t.Kind == BtfKind.Forward && (l.Kind == BtfKind.Union) == t.KindFlag);
                    if (l.Kind != t.Kind || l.Members.Count > t.Members.Count) return false;
                    foreach (var member in l.Members)
                    {
                        int index = -1;
                        for (int i = 0; i < t.Members.Count; i++)
                            if (NamesMatch(member.Name, t.Members[i].Name)) { index = i; break; }
                        if (index < 0 || !TypesMatch(local, member.TypeId, target, t.Members[index].TypeId, behindPointer, depth))
                            return false;
                    }
                    return true;
                case BtfKind.Int:
                    return t.Kind == BtfKind.Int && l.Size == t.Size && (l.IntEncoding & 1) == (t.IntEncoding & 1);
                case BtfKind.Float:
                    return t.Kind == BtfKind.Float && l.Size == t.Size;
                case BtfKind.Pointer:
                    if (t.Kind != BtfKind.Pointer) return false;
                    behindPointer = true;
                    localId = l.ReferencedTypeId;
                    targetId = t.ReferencedTypeId;
                    continue;
                case BtfKind.Array:
                    if (t.Kind != BtfKind.Array || l.Array!.Value.Count != t.Array!.Value.Count) return false;
                    localId = l.Array.Value.ElementTypeId;
                    targetId = t.Array.Value.ElementTypeId;
                    continue;
                case BtfKind.FunctionProto:
                    if (t.Kind != BtfKind.FunctionProto || l.Parameters.Count != t.Parameters.Count) return false;
                    for (int i = 0; i < l.Parameters.Count; i++)
                        if (!TypesMatch(local, l.Parameters[i].TypeId, target, t.Parameters[i].TypeId, behindPointer, depth))
                            return false;
                    localId = l.ReferencedTypeId;
                    targetId = t.ReferencedTypeId;
                    continue;
                default:
                    return false;
            }
        }
        return false;
    }
}
