using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sluice.Bpf;

namespace Sluice.Programs.TcApps;

/// <summary>The map names and limits of bpf/include/tc_classifier.h.</summary>
internal static class ClassifierNames
{
    internal const int MaxRules = 1024;
    internal const int Words = MaxRules / 64;
    internal const uint NoPortIndex = 65536;
    internal const int Classes = MaxRules + 1;
    internal const int Chunks = 2 * MaxRules;
    internal const ushort ChunkFlag = 0x8000;
    internal const string Rules = "cls_rules";
    internal const string PortSets = "cls_port_sets";
    internal const string ProtocolSets = "cls_proto_sets";
    internal const string Config = "cls_config";
    internal const string DimensionWords = "cls_dimension_words";

    /// <summary>The maps of one address dimension ("src" or "dst"): cls_src4, cls_src4_chunks, cls_src6, cls_src_sets.</summary>
    internal static (string Root4, string Chunks4, string Trie6, string Sets) Address(string side) =>
        ($"cls_{side}4", $"cls_{side}4_chunks", $"cls_{side}6", $"cls_{side}_sets");
}

/// <summary>CLS_F_*: the dimensions a rule (or any rule) constrains.</summary>
[Flags]
internal enum ClassifierFields : byte
{
    None = 0,
    Source = 0x1,
    Destination = 0x2,
    Port = 0x4,
    Protocol = 0x8,
    /// <summary>The IPv4 source table maps some address to a class other than 0.</summary>
    Source4 = 0x10,
    /// <summary>The IPv4 destination table maps some address to a class other than 0.</summary>
    Destination4 = 0x20,
    /// <summary>The IPv6 source trie holds a prefix other than ::/0.</summary>
    Source6 = 0x40,
    /// <summary>The IPv6 destination trie holds a prefix other than ::/0.</summary>
    Destination6 = 0x80,
}

/// <summary>struct cls_bitmap: one bit per rule index.</summary>
[InlineArray(ClassifierNames.Words)]
internal struct ClassifierBitmap
{
    private ulong _first;
}

/// <summary>struct cls_set: the rules a value satisfies, with a bit per non-empty word.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ClassifierSet : IEquatable<ClassifierSet>
{
    public ulong Summary;
    public ClassifierBitmap Words;

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

    public readonly bool Equals(ClassifierSet other)
    {
        if (Summary != other.Summary) return false;
        for (int w = 0; w < ClassifierNames.Words; w++)
            if (Words[w] != other.Words[w]) return false;
        return true;
    }

    public override readonly bool Equals(object? obj) => obj is ClassifierSet other && Equals(other);

    public override readonly int GetHashCode() => Summary.GetHashCode();
}

/// <summary>struct cls_chunk: 256 entries (a class, or <see cref="ClassifierNames.ChunkFlag"/> | the next chunk) by the next address byte.</summary>
[InlineArray(256)]
internal struct ClassifierChunk
{
    private ushort _first;
}

/// <summary>struct cls_prefix.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ClassifierPrefix
{
    public uint PrefixLength;
    public IPv6Bytes Address;
}

/// <summary>struct cls_rule.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ClassifierRuleValue
{
    public byte Used;
    public byte Protocol;
    public ClassifierFields Fields;
    private readonly byte _padding;
    public ushort PortLow;
    public ushort PortHigh;
    public ClassifierPrefix Source;
    public ClassifierPrefix Destination;
}

/// <summary>struct cls_dimension_words: per address dimension, the bitmap words holding a rule that constrains it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ClassifierDimensionWords
{
    public ulong Source;
    public ulong Destination;

    /// <summary>The words of <paramref name="rules"/> (slot -> rule) that hold a rule with a source / destination prefix.</summary>
    internal static ClassifierDimensionWords Of(IReadOnlyDictionary<int, ClassifierRule> rules)
    {
        var words = new ClassifierDimensionWords();
        foreach (var (slot, rule) in rules)
        {
            if (rule.Source is not null) words.Source |= 1UL << (slot / 64);
            if (rule.Destination is not null) words.Destination |= 1UL << (slot / 64);
        }
        return words;
    }
}

/// <summary>struct cls_config.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ClassifierConfig
{
    public ClassifierFields Flags;
    private readonly byte _padding1;
    private readonly ushort _padding2;
    public uint Words;
    public uint Generation;
    /// <summary>Left to the application (qos: QosOwned flags).</summary>
    public uint Application;
}
