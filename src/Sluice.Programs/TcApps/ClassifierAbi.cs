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
    internal const string Rules = "cls_rules";
    internal const string Source = "cls_src";
    internal const string Destination = "cls_dst";
    internal const string Ports = "cls_ports";
    internal const string Protocols = "cls_protos";
    internal const string Config = "cls_config";
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
}

/// <summary>struct cls_bitmap: one bit per rule index.</summary>
[InlineArray(ClassifierNames.Words)]
internal struct ClassifierBitmap
{
    private ulong _first;
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
