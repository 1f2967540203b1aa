using System.Collections;

namespace Sluice.Bpf.Object.Btf;

/// <summary>
/// The types of one BTF blob, indexed by id, made from their records on first access and then kept. For split BTF
/// the ids below the first own id are the base's. Concurrent readers may both make a type; either copy is equal,
/// and only object BTF (made eagerly, before anyone shares it) is ever fixed up in place.
/// </summary>
internal sealed class BtfTypeTable(BtfSpec spec, BtfSpec? baseBtf, int[] recordOffsets) : IReadOnlyList<BtfType>
{
    private static readonly BtfType VoidType = new() { Id = 0, Kind = BtfKind.Void, Name = "void" };
    private readonly BtfType?[] _made = new BtfType?[recordOffsets.Length];

    /// <summary>Id of this blob's first type: 1, or the base's type count for split BTF.</summary>
    public uint FirstId { get; } = baseBtf is null ? 1u : (uint)baseBtf.Types.Count;

    /// <summary>Number of types this blob itself holds.</summary>
    public int OwnCount => recordOffsets.Length;

    /// <summary>Byte offset of own type <paramref name="index"/>'s record inside the type section.</summary>
    public int RecordOffset(int index) => recordOffsets[index];

    public int Count => (int)FirstId + recordOffsets.Length;

    public BtfType this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            if (index < FirstId) return baseBtf is null ? VoidType : baseBtf.Types[index];
            int own = index - (int)FirstId;
            return _made[own] ??= BtfParser.ReadType(spec, (uint)index, recordOffsets[own]);
        }
    }

    /// <summary>Makes every own type now, so a bad string offset surfaces immediately.</summary>
    public void MaterializeAll()
    {
        for (int i = 0; i < recordOffsets.Length; i++) _ = this[(int)FirstId + i];
    }

    public IEnumerator<BtfType> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
