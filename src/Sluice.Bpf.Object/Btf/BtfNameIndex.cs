namespace Sluice.Bpf.Object.Btf;

/// <summary>
/// The named types of one BTF blob (not its base), by essential name (see <see cref="BtfSpec.EssentialName"/>),
/// built from the records' name offsets without making the types or decoding the names: the key is a hash of the
/// name's bytes, so a lookup may yield a colliding type, which the caller filters by name. Ids sharing a key are
/// chained through an array instead of a list per name (vmlinux has ~100k names, most of them unique).
/// </summary>
internal sealed class BtfNameIndex
{
    private readonly Dictionary<uint, int> _first;
    private readonly int[] _next;
    private readonly uint _firstId;

    private BtfNameIndex(Dictionary<uint, int> first, int[] next, uint firstId)
    {
        _first = first;
        _next = next;
        _firstId = firstId;
    }

    public static BtfNameIndex Build(BtfSpec spec)
    {
        if (spec.Types is not BtfTypeTable table) return new BtfNameIndex([], [], 1);
        int count = table.OwnCount;
        var first = new Dictionary<uint, int>(count);
        var next = new int[count];
        var strings = spec.OwnStrings;
        uint baseLength = spec.Base is null ? 0 : (uint)spec.Base.StringsLength;
        // Walk backwards and push at the head, so each chain comes out in ascending id order.
        for (int i = count - 1; i >= 0; i--)
        {
            next[i] = -1;
            var (nameOffset, _) = BtfParser.ReadNameAndKind(spec, table.RecordOffset(i));
            // Split BTF types normally name their own strings; one naming a base string is indexed by that string.
            var source = nameOffset < baseLength ? spec.Base!.OwnStrings : strings;
            uint at = nameOffset < baseLength ? nameOffset : nameOffset - baseLength;
            if (at == 0 || at >= (uint)source.Length) continue;
            var rest = source[(int)at..];
            int end = rest.IndexOf((byte)0);
            if (end <= 0) continue;
            uint key = Hash(rest[..EssentialLength(rest[..end])]);
            if (first.TryGetValue(key, out int head)) next[i] = head;
            first[key] = i;
        }
        return new BtfNameIndex(first, next, table.FirstId);
    }

    /// <summary>Ids whose name may have <paramref name="essentialName"/> as essential name (hash matches).</summary>
    public IEnumerable<uint> Find(string essentialName)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(essentialName);
        if (!_first.TryGetValue(Hash(bytes), out int index)) yield break;
        for (; index >= 0; index = _next[index]) yield return _firstId + (uint)index;
    }

    /// <summary><see cref="BtfSpec.EssentialName"/> on bytes: the length before the last X___Y flavour separator.</summary>
    private static int EssentialLength(ReadOnlySpan<byte> name)
    {
        for (int i = name.Length - 5; i >= 0; i--)
            if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' && name[i + 3] == '_' && name[i + 4] != '_')
                return i + 1;
        return name.Length;
    }

    // FNV-1a: cheap, and collisions only cost a filtered candidate.
    private static uint Hash(ReadOnlySpan<byte> bytes)
    {
        uint hash = 2166136261;
        foreach (byte b in bytes) hash = (hash ^ b) * 16777619;
        return hash;
    }
}
