using Sluice.Programs.TcApps;

namespace Sluice.Programs;

/// <summary>struct cls_set (generated): adding rules, and comparing sets so a write skips the unchanged ones.</summary>
internal partial struct ClassifierSet : IEquatable<ClassifierSet>
{
    /// <summary>Adds the rule in <paramref name="slot"/>.</summary>
    public void Add(int slot)
    {
        Words[slot / 64] |= 1UL << (slot % 64);
        Summary |= 1UL << (slot / 64);
    }

    /// <summary>Adds every rule of <paramref name="other"/>.</summary>
    public void Add(in ClassifierSet other)
    {
        for (int w = 0; w < ClassifierNames.Words; w++) Words[w] |= other.Words[w];
        Summary |= other.Summary;
    }

    public readonly bool Equals(ClassifierSet other) =>
        Summary == other.Summary && ((ReadOnlySpan<ulong>)Words).SequenceEqual(other.Words);

    public override readonly bool Equals(object? obj) => obj is ClassifierSet other && Equals(other);

    public override readonly int GetHashCode() => Summary.GetHashCode();
}
