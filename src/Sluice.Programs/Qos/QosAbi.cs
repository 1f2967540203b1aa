using System.Runtime.InteropServices;

namespace Sluice.Programs.Qos;

/// <summary>Names and limits of bpf/qos.bpf.c and bpf/include/qos.h.</summary>
internal static class QosNames
{
    internal const string Application = "qos";
    internal const string Object = "qos.bpf.o";
    internal const string Program = "qos_classify";
    internal const string Actions = "qos_actions";
    internal const string Stats = "qos_stats";
    internal const uint DefaultSlot = TcApps.ClassifierNames.MaxRules;
}

/// <summary>QOS_A_*.</summary>
[Flags]
internal enum QosActionFlags : byte
{
    None = 0,
    Enabled = 0x1,
    Dscp = 0x2,
    ClassId = 0x4,
}

/// <summary>struct qos_action.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct QosActionValue
{
    public uint Priority;
    public uint ClassId;
    public QosActionFlags Flags;
    public byte Dscp;
    public QosClassName ClassName;
    private readonly byte _padding;
}

/// <summary>struct qos_counters: per rule (and the default), summed over CPUs.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct QosCounters
{
    /// <summary>Packets classified by the rule.</summary>
    public ulong Packets;
    /// <summary>Their bytes.</summary>
    public ulong Bytes;
    /// <summary>Packets whose DSCP was rewritten.</summary>
    public ulong Marked;
    /// <summary>Rewrites that failed (the packet passed unchanged).</summary>
    public ulong Errors;
}
