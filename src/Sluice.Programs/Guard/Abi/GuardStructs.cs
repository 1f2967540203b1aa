using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sluice.Bpf;

namespace Sluice.Programs.Guard;

// C# mirrors of the structs in bpf/include/guard.h. A test compares every size with the objects' BTF.

/// <summary>The data of a guard_port_prefix_v4 key: protocol, destination port (network order), source address.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct GuardPortDataV4
{
    /// <summary>IP protocol number.</summary>
    public byte Protocol;
    /// <summary>Destination port, high byte (network order); 0 with <see cref="PortLow"/> 0 = any port.</summary>
    public byte PortHigh;
    /// <summary>Destination port, low byte.</summary>
    public byte PortLow;
    /// <summary>The source address bytes in network order.</summary>
    public uint Address;
}

/// <summary>The data of a guard_port_prefix_v6 key.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
public struct GuardPortDataV6
{
    /// <summary>IP protocol number.</summary>
    public byte Protocol;
    /// <summary>Destination port, high byte (network order).</summary>
    public byte PortHigh;
    /// <summary>Destination port, low byte.</summary>
    public byte PortLow;
    /// <summary>The source address bytes in network order.</summary>
    public IPv6Bytes Address;
}

/// <summary>The value of every rule map (struct guard_rule).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GuardRuleValue
{
    /// <summary>Allow and/or deny.</summary>
    public GuardRuleActions Actions;
    /// <summary>The source address prefix length.</summary>
    public byte PrefixLength;
    /// <summary>The rule's scope.</summary>
    public GuardScope Scope;
    private readonly byte _pad;
    /// <summary>Controller-assigned identifier.</summary>
    public uint Id;
    /// <summary>Packets that hit the rule.</summary>
    public ulong Packets;
    /// <summary>Bytes that hit the rule.</summary>
    public ulong Bytes;
}

/// <summary>The live configuration (struct guard_config).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GuardConfigValue
{
    /// <summary>GUARD_F_* flags.</summary>
    public GuardConfigFlags Flags;
    /// <summary>Verdict for malformed packets.</summary>
    public GuardVerdict MalformedVerdict;
    /// <summary>Verdict for packets no rule matched.</summary>
    public GuardVerdict DefaultVerdict;
    /// <summary>1 in N dropped packets is sampled; 0 = none.</summary>
    public ushort SampleRate;
    /// <summary>Marks that make a passed packet count as suspicious.</summary>
    public GuardMarks SuspiciousMarks;
    /// <summary>Marks for which the TC stage drops.</summary>
    public GuardMarks TcDropMarks;
    /// <summary>Packet GCRA interval (1e9 / pps); 0 = no limit.</summary>
    public ulong PpsIntervalNs;
    /// <summary>Packet GCRA tolerance ((burst - 1) * interval).</summary>
    public ulong PpsToleranceNs;
    /// <summary>SYN GCRA interval; 0 = no limit.</summary>
    public ulong SynIntervalNs;
    /// <summary>SYN GCRA tolerance.</summary>
    public ulong SynToleranceNs;
    /// <summary>Temporary block duration; 0 = never block.</summary>
    public ulong BlockNs;
    /// <summary>TC new-connection GCRA interval; 0 = no limit.</summary>
    public ulong ConnIntervalNs;
    /// <summary>TC new-connection GCRA tolerance.</summary>
    public ulong ConnToleranceNs;
    /// <summary>TC concurrent connection limit; 0 = none.</summary>
    public uint MaxConcurrent;
    /// <summary>Bumped on every change.</summary>
    public uint Generation;

    /// <summary>The configuration of a freshly attached guard: drop malformed, pass the rest, no limits.</summary>
    public static GuardConfigValue Default => new()
    {
        MalformedVerdict = GuardVerdict.Drop,
        DefaultVerdict = GuardVerdict.Pass,
        SampleRate = 64,
    };
}

/// <summary>Per-source XDP state (struct guard_source); keys are <see cref="IPv6Bytes"/>, IPv4 as ::ffff:a.b.c.d.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GuardSourceState
{
    /// <summary>Packet GCRA theoretical arrival time (ktime ns).</summary>
    public ulong PacketTat;
    /// <summary>SYN GCRA theoretical arrival time.</summary>
    public ulong SynTat;
    /// <summary>Blocked until this ktime (ns); 0 = not blocked.</summary>
    public ulong BlockedUntilNs;
    /// <summary>Packets seen from the source.</summary>
    public ulong Packets;
    /// <summary>Bytes seen from the source.</summary>
    public ulong Bytes;
    /// <summary>Packets dropped by limits or blocks.</summary>
    public ulong Dropped;
}

/// <summary>Packets and bytes of one statistics slot (struct guard_counter).</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct GuardCounter(ulong Packets, ulong Bytes);

/// <summary>The metadata in front of a passed packet (struct guard_meta).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GuardMeta
{
    /// <summary>The value of <see cref="GuardMeta.Magic"/> when present.</summary>
    public const uint MagicValue = 0x534c4344;
    /// <summary>GUARD_META_MAGIC.</summary>
    public uint Magic;
    /// <summary>GUARD_MARK_* bits.</summary>
    public GuardMarks Marks;
}

/// <summary>The fixed part of a sampled dropped packet (struct guard_event); <see cref="CaptureLength"/> bytes follow.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GuardEventHeader
{
    /// <summary>Bytes of packet data in an event.</summary>
    public const int CaptureLength = 128;
    /// <summary>bpf_ktime_get_ns() at the drop.</summary>
    public ulong TimestampNs;
    /// <summary>Why it was dropped.</summary>
    public GuardReason Reason;
    /// <summary>The interface index.</summary>
    public uint InterfaceIndex;
    /// <summary>The frame length.</summary>
    public ushort PacketLength;
    /// <summary>How many of the data bytes hold packet data.</summary>
    public ushort Captured;
    private readonly uint _pad;
}

/// <summary>
/// TC per-source connection state (struct guard_conn_source): one slot per tracked connection, taken while its
/// expiry second is after now, so connections that never complete or end unseen age out.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct GuardConnectionSource
{
    /// <summary>GUARD_CONN_SLOTS: the most concurrent connections per source the TC stage can count.</summary>
    public const int SlotCount = 64;
    /// <summary>New-connection GCRA theoretical arrival time.</summary>
    public ulong ConnectionTat;
    /// <summary>The slots: (expiry second of bpf_ktime_get_ns() &lt;&lt; 32) | the holding flow's tag.</summary>
    public GuardConnectionSlots Slots;

    /// <summary>The slots taken at <paramref name="nowSeconds"/> (monotonic seconds): the source's open connections.</summary>
    public readonly int Live(ulong nowSeconds)
    {
        int live = 0;
        foreach (ulong slot in Slots)
            if (slot >> 32 > nowSeconds) live++;
        return live;
    }
}

/// <summary>The slot array of <see cref="GuardConnectionSource"/>.</summary>
[InlineArray(GuardConnectionSource.SlotCount)]
public struct GuardConnectionSlots
{
    private ulong _first;
}

/// <summary>A tracked TCP flow's key (struct guard_flow_key).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GuardFlowKey
{
    /// <summary>Source address (IPv4-mapped for IPv4).</summary>
    public IPv6Bytes SourceAddress;
    /// <summary>Destination address.</summary>
    public IPv6Bytes DestinationAddress;
    /// <summary>Source port, network order.</summary>
    public ushort SourcePort;
    /// <summary>Destination port, network order.</summary>
    public ushort DestinationPort;
    /// <summary>IP protocol.</summary>
    public byte Protocol;
    private readonly byte _pad0, _pad1, _pad2;
}

/// <summary>A tracked TCP flow (struct guard_flow).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GuardFlow
{
    /// <summary>GUARD_CONN_NO_SLOT: the flow holds no slot (none was free and no concurrency limit was set).</summary>
    public const byte NoSlot = 0xff;
    /// <summary>ktime of the SYN.</summary>
    public ulong CreatedNs;
    /// <summary>ktime of the last packet.</summary>
    public ulong LastSeenNs;
    /// <summary>The client's next sequence number (host order): a FIN or RST must carry exactly this one.</summary>
    public uint NextSequence;
    /// <summary>The flow's tag in its slot (nonzero).</summary>
    public uint Tag;
    /// <summary>Index in <see cref="GuardConnectionSource.Slots"/>, or <see cref="NoSlot"/>.</summary>
    public byte Slot;
    /// <summary>0: only the SYN seen (GUARD_FLOW_SYN_SENT); 1: the client sent more (GUARD_FLOW_ACTIVE).</summary>
    public byte State;
    private readonly ushort _pad0;
    private readonly uint _pad1;
}
