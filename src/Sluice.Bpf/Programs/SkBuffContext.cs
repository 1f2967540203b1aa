using System.Runtime.InteropServices;

namespace Sluice.Bpf;

/// <summary>
/// struct __sk_buff as BPF_PROG_TEST_RUN takes and returns it for TC, socket filter and cgroup skb programs
/// (Linux 5.2). Only these fields travel: on input everything else must be zero, and on output the kernel writes
/// back mark, priority, the ifindexes, cb, tstamp, wire_len, gso_segs and hwtstamp (not len or protocol).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public unsafe struct SkBuffContext
{
    /// <summary>sizeof(struct __sk_buff) on Linux 6.x.</summary>
    public const int Size = 192;

    [FieldOffset(8)] private uint _mark;
    [FieldOffset(32)] private uint _priority;
    [FieldOffset(36)] private uint _ingressIfindex;
    [FieldOffset(40)] private uint _ifindex;
    [FieldOffset(48)] private fixed uint _cb[5];
    [FieldOffset(152)] private ulong _timestamp;
    [FieldOffset(160)] private uint _wireLength;
    [FieldOffset(164)] private uint _gsoSegments;
    [FieldOffset(176)] private uint _gsoSize;
    [FieldOffset(184)] private ulong _hardwareTimestamp;

    /// <summary>skb->mark.</summary>
    public uint Mark { readonly get => _mark; set => _mark = value; }
    /// <summary>skb->priority.</summary>
    public uint Priority { readonly get => _priority; set => _priority = value; }
    /// <summary>Interface the packet arrived on (must exist when set).</summary>
    public uint IngressIfindex { readonly get => _ingressIfindex; set => _ingressIfindex = value; }
    /// <summary>Interface the packet is on (must exist when set).</summary>
    public uint Ifindex { readonly get => _ifindex; set => _ifindex = value; }
    /// <summary>skb->tstamp in nanoseconds.</summary>
    public ulong Timestamp { readonly get => _timestamp; set => _timestamp = value; }
    /// <summary>Length on the wire (must be at least the packet length when set).</summary>
    public uint WireLength { readonly get => _wireLength; set => _wireLength = value; }
    /// <summary>GSO segment count.</summary>
    public uint GsoSegments { readonly get => _gsoSegments; set => _gsoSegments = value; }
    /// <summary>GSO segment size (input only).</summary>
    public uint GsoSize { readonly get => _gsoSize; set => _gsoSize = value; }
    /// <summary>Hardware timestamp in nanoseconds (Linux 5.17).</summary>
    public ulong HardwareTimestamp { readonly get => _hardwareTimestamp; set => _hardwareTimestamp = value; }

    /// <summary>The 20-byte control buffer shared between programs, as five words.</summary>
    public uint GetControlBlock(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, 5u, nameof(index));
        return _cb[index];
    }

    /// <summary>Sets one of the five control-buffer words.</summary>
    public void SetControlBlock(int index, uint value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, 5u, nameof(index));
        _cb[index] = value;
    }
}
