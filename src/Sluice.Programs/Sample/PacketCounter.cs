using System.Runtime.InteropServices;
using Sluice.Bpf;

namespace Sluice.Programs.Sample;

/// <summary>Counter slots of packet_counter.bpf.c (enum counter_slot in bpf/include/packet_counter.h).</summary>
public enum CounterSlot : uint
{
    /// <summary>Not IPv4, or an IP protocol without its own slot.</summary>
    Other = 0,
    /// <summary>TCP over IPv4.</summary>
    Tcp = 1,
    /// <summary>UDP over IPv4, passed.</summary>
    Udp = 2,
    /// <summary>ICMP over IPv4.</summary>
    Icmp = 3,
    /// <summary>UDP to the blocked port, dropped.</summary>
    Dropped = 4,
    /// <summary>Truncated or malformed headers, dropped.</summary>
    Malformed = 5,
}

/// <summary>Packets and bytes for one slot (struct counter).</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct PacketCount(ulong Packets, ulong Bytes);

/// <summary>
/// The sample XDP packet counter: counts packets per IP protocol and drops UDP to one port. A compact example of
/// loading an embedded object with a <c>const volatile</c> knob set before load and reading per-CPU counters
/// (samples/XdpProtocolCounter shows the same with the generated typed class).
/// </summary>
public sealed class PacketCounter : IDisposable
{
    private const int SlotCount = 6;
    private readonly BpfCollection _collection;
    private readonly BpfPerCpuArray<PacketCount> _counters;

    private PacketCounter(BpfCollection collection)
    {
        _collection = collection;
        _counters = collection.PerCpuArray<PacketCount>("counters");
    }

    /// <summary>Loads the program with UDP port <paramref name="blockedUdpPort"/> blocked (Linux 5.x with BTF).</summary>
    public static PacketCounter Load(ushort blockedUdpPort = 9)
    {
        var spec = EmbeddedObjects.Read("packet_counter.bpf.o");
        spec.SetGlobal("blocked_udp_port", blockedUdpPort);
        return new PacketCounter(BpfCollection.Load(spec));
    }

    /// <summary>The XDP program.</summary>
    public BpfProgram Program => _collection.Program("count_packets");

    /// <summary>Reads every slot, summed over CPUs.</summary>
    public IReadOnlyDictionary<CounterSlot, PacketCount> Read()
    {
        var result = new Dictionary<CounterSlot, PacketCount>();
        Span<PacketCount> perCpu = new PacketCount[_counters.CpuCount];
        for (uint slot = 0; slot < SlotCount; slot++)
        {
            ulong packets = 0, bytes = 0;
            if (_counters.TryLookup(slot, perCpu))
            {
                foreach (var count in perCpu)
                {
                    packets += count.Packets;
                    bytes += count.Bytes;
                }
            }
            result[(CounterSlot)slot] = new PacketCount(packets, bytes);
        }
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _counters.Dispose();
        _collection.Dispose();
    }
}
