using System.Runtime.InteropServices;
using Sluice.Bpf;

namespace Sluice.Programs.TcApps;

// The structs of bpf/include/tc_classifier.h (ClassifierRuleValue, ClassifierPrefix, ClassifierConfig,
// ClassifierBitmap) and enum cls_flags (ClassifierFields) are generated from the qos object's BTF (namespace
// Sluice.Programs), with the header's comments as their docs.

/// <summary>The map names and limits of bpf/include/tc_classifier.h.</summary>
internal static class ClassifierNames
{
    internal const int MaxRules = 1024;
    internal const int Words = MaxRules / 64;
    internal const uint NoPortIndex = 65536;
    internal const string Rules = QosObject.MapNames.ClsRules;
    internal const string Source = QosObject.MapNames.ClsSrc;
    internal const string Destination = QosObject.MapNames.ClsDst;
    internal const string Ports = QosObject.MapNames.ClsPorts;
    internal const string Protocols = QosObject.MapNames.ClsProtos;
    internal const string Config = QosObject.MapNames.ClsConfig;
}

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
