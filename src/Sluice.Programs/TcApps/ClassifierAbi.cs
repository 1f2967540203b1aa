using System.Runtime.InteropServices;
using Sluice.Bpf;

namespace Sluice.Programs.TcApps;

// The structs of bpf/include/tc_classifier.h (ClassifierRuleValue, ClassifierPrefix, ClassifierConfig, ClassifierSet,
// ClassifierRoot4, ClassifierChunk, ClassifierDimensionWords) and enum cls_flags (ClassifierFields) are generated from
// the qos object's BTF (namespace Sluice.Programs), with the header's comments as their docs. What they do beyond
// their layout is in the partial declarations beside this file (ClassifierSet.cs, ClassifierDimensionWords.cs).

/// <summary>The map names and limits of bpf/include/tc_classifier.h.</summary>
internal static class ClassifierNames
{
    internal const int MaxRules = 1024;
    internal const int Words = MaxRules / 64;
    internal const uint NoPortIndex = 65536;
    internal const int Classes = MaxRules + 1;
    internal const int Chunks = 2 * MaxRules;
    internal const ushort ChunkFlag = 0x8000;
    internal const string Rules = QosObject.MapNames.ClsRules;
    internal const string PortSets = QosObject.MapNames.ClsPortSets;
    internal const string ProtocolSets = QosObject.MapNames.ClsProtoSets;
    internal const string Config = QosObject.MapNames.ClsConfig;
    internal const string DimensionWords = QosObject.MapNames.ClsDimensionWords;

    /// <summary>The maps of the source address dimension.</summary>
    internal static readonly ClassifierAddressMapNames Source =
        new(QosObject.MapNames.ClsSrc4, QosObject.MapNames.ClsSrc4Chunks, QosObject.MapNames.ClsSrc6, QosObject.MapNames.ClsSrcSets);

    /// <summary>The maps of the destination address dimension.</summary>
    internal static readonly ClassifierAddressMapNames Destination =
        new(QosObject.MapNames.ClsDst4, QosObject.MapNames.ClsDst4Chunks, QosObject.MapNames.ClsDst6, QosObject.MapNames.ClsDstSets);
}

/// <summary>The four maps of one address dimension: cls_src4, cls_src4_chunks, cls_src6, cls_src_sets (or dst).</summary>
internal sealed record ClassifierAddressMapNames(string Root4, string Chunks4, string Trie6, string Sets);

/// <summary>
/// The LPM key a C prefix (<c>__u32 prefixlen; __u8 addr[16];</c>, IPv4 in the ::ffff: form) stands for: the generated
/// mirrors carry the address as bytes, the tries take <see cref="LpmKey{T}"/>.
/// </summary>
internal static class MappedPrefix
{
    internal static LpmKey<IPv6Bytes> Read(uint prefixLength, ReadOnlySpan<byte> address) => new(prefixLength, MemoryMarshal.Read<IPv6Bytes>(address));

    internal static void Write(LpmKey<IPv6Bytes> key, out uint prefixLength, Span<byte> address)
    {
        prefixLength = key.PrefixLength;
        MemoryMarshal.Write(address, in key.Data);
    }
}
