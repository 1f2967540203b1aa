using Sluice.Programs.TcApps;

namespace Sluice.Programs;

/// <summary>struct cls_dimension_words (generated), computed from a rule set.</summary>
internal partial struct ClassifierDimensionWords
{
    /// <summary>The words of <paramref name="rules"/> (slot -> rule) that hold a rule with a source / destination prefix.</summary>
    internal static ClassifierDimensionWords Of(IReadOnlyDictionary<int, ClassifierRule> rules)
    {
        var words = new ClassifierDimensionWords();
        foreach (var (slot, rule) in rules)
        {
            if (rule.Source is not null) words.Src |= 1UL << (slot / 64);
            if (rule.Destination is not null) words.Dst |= 1UL << (slot / 64);
        }
        return words;
    }
}
