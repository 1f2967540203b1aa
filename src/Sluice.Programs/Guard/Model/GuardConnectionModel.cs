using System.Net;

namespace Sluice.Programs.Guard.Model;

/// <summary>
/// The TC stage's TCP connection tracking in C# (Guard/README.md, "TC stage"), the reference guard_tc is tested
/// against: per source, <see cref="GuardConnectionSource.SlotCount"/> slots; a SYN without ACK opens a flow when the
/// source is within its new-connection burst and its concurrency limit and takes the lowest free slot; a FIN or RST
/// frees the slot only for a tracked flow at exactly the client's next sequence number, once; other client packets
/// within the sequence window move that number on. Time is not modelled: the rate limit is exact when its interval
/// outlasts the run (a fixed budget of <c>burst</c> connections), and slots age only when the caller says so
/// (<see cref="Expire"/>, mirroring a rewrite of the kernel's slots). No metadata marks (a test run has none).
/// Pure: no kernel calls; not thread-safe.
/// </summary>
public sealed class GuardConnectionModel
{
    /// <summary>TC_SEQ_WINDOW: how far from the client's next sequence number a packet may start and still count.</summary>
    public const uint SequenceWindow = 1u << 24;

    private readonly Dictionary<FlowKey, Flow> _flows = [];
    private readonly Dictionary<IPAddress, SourceState> _sources = [];
    private readonly uint _maxConcurrent;
    private readonly uint? _rateBudget;
    private long _nextFlowId = 1;

    /// <summary>A model with a concurrency limit (0 = none) and a new-connection burst (null = no rate limit).</summary>
    public GuardConnectionModel(uint maxConcurrent, uint? rateBudget)
    {
        _maxConcurrent = maxConcurrent;
        _rateBudget = rateBudget;
    }

    private bool Limited => _maxConcurrent != 0 || _rateBudget is not null;

    /// <summary>The reason guard_tc counts <paramref name="frame"/> under: tc_passed, tc_conn_rate or tc_conn_limit.</summary>
    public GuardReason Evaluate(ReadOnlySpan<byte> frame)
    {
        var packet = GuardPacketParser.Parse(frame);
        if (packet.Kind is not (GuardPacketKind.IPv4 or GuardPacketKind.IPv6) || packet.Protocol != GuardPacketParser.Tcp || !packet.HasPorts)
            return GuardReason.TcPassed;
        var key = new FlowKey(GuardAddress.Identity(packet.Source!), packet.Destination!, packet.SourcePort, packet.DestinationPort);
        byte flags = packet.TcpFlags;
        if ((flags & (Syn | Ack)) == Syn)
            return Limited ? Open(key, packet.TcpSequence) : GuardReason.TcPassed;
        if ((flags & (Fin | Rst)) != 0)
            Close(key, packet.TcpSequence);
        else if (Limited)
            Touch(key, packet.TcpSequence, (uint)packet.TcpPayload);
        return GuardReason.TcPassed;
    }

    /// <summary>The slots <paramref name="source"/> holds (its open connections); null when it has no state.</summary>
    public uint? Concurrent(IPAddress source) =>
        _sources.TryGetValue(GuardAddress.Identity(source), out var state) ? (uint)state.Slots.Count(owner => owner != 0) : null;

    /// <summary>Every slot of <paramref name="source"/> expires (its flows were silent past their timeout).</summary>
    public void Expire(IPAddress source)
    {
        source = GuardAddress.Identity(source);
        if (_sources.TryGetValue(source, out var state)) Array.Clear(state.Slots);
        foreach (var flow in _flows.Where(pair => pair.Key.Source.Equals(source)).Select(pair => pair.Value))
            flow.Stale = true;
    }

    private GuardReason Open(FlowKey key, uint sequence)
    {
        if (_flows.ContainsKey(key)) return GuardReason.TcPassed; // a retransmission
        if (!_sources.TryGetValue(key.Source, out var state)) _sources[key.Source] = state = new SourceState();
        if (_rateBudget is { } budget && state.Admitted >= Math.Max(1, budget)) return GuardReason.TcConnectionRate;
        int live = state.Slots.Count(owner => owner != 0);
        if (_maxConcurrent != 0 && live >= _maxConcurrent) return GuardReason.TcConnectionLimit;
        long id = _nextFlowId++;
        int slot = Array.IndexOf(state.Slots, 0L);
        if (slot >= 0) state.Slots[slot] = id;
        _flows[key] = new Flow(id, slot, sequence + 1);
        state.Admitted++;
        return GuardReason.TcPassed;
    }

    private void Close(FlowKey key, uint sequence)
    {
        if (!_flows.TryGetValue(key, out var flow) || flow.NextSequence != sequence) return;
        _flows.Remove(key);
        Release(key.Source, flow);
    }

    private void Touch(FlowKey key, uint sequence, uint payload)
    {
        if (!_flows.TryGetValue(key, out var flow)) return;
        int offset = unchecked((int)(sequence - flow.NextSequence));
        if (offset > (int)SequenceWindow || offset < -(int)SequenceWindow) return;
        uint end = unchecked(sequence + payload);
        if (unchecked((int)(end - flow.NextSequence)) > 0) flow.NextSequence = end;
        // The kernel looks at the slot on a flow's first packet after its SYN and then at most once a second; a
        // slot is only lost by expiring, after which the flow's times are old too, so it looks on the next packet.
        if (!flow.Stale) return;
        flow.Stale = false;
        if (flow.Slot >= 0 && _sources[key.Source].Slots[flow.Slot] != flow.Id) _flows.Remove(key);
    }

    private void Release(IPAddress source, Flow flow)
    {
        if (flow.Slot >= 0 && _sources.TryGetValue(source, out var state) && state.Slots[flow.Slot] == flow.Id)
            state.Slots[flow.Slot] = 0;
    }

    private const byte Fin = 0x01, Syn = 0x02, Rst = 0x04, Ack = 0x10;

    private readonly record struct FlowKey(IPAddress Source, IPAddress Destination, ushort SourcePort, ushort DestinationPort);

    private sealed class Flow(long id, int slot, uint nextSequence)
    {
        public long Id { get; } = id;
        public int Slot { get; } = slot;
        public uint NextSequence { get; set; } = nextSequence;
        public bool Stale { get; set; }
    }

    private sealed class SourceState
    {
        public long[] Slots { get; } = new long[GuardConnectionSource.SlotCount];
        public uint Admitted { get; set; }
    }
}
