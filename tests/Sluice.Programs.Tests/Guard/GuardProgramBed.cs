using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Tests;

namespace Sluice.Programs.Tests.Guard;

/// <summary>What one test run of guard_xdp did to a frame.</summary>
/// <param name="Action">The XDP action (1 drop, 2 pass, 3 tx).</param>
/// <param name="Reason">The statistics slot the packet was counted in (exactly one, checked).</param>
/// <param name="Output">The packet after the run, without metadata.</param>
/// <param name="Metadata">The struct guard_meta in front of the packet, or null when the program wrote none.</param>
public sealed record GuardRun(uint Action, GuardReason Reason, byte[] Output, GuardMeta? Metadata)
{
    /// <summary>The action as <see cref="XdpAction"/>.</summary>
    public XdpAction XdpAction => (XdpAction)Action;

    /// <inheritdoc />
    public override string ToString() => $"{XdpAction} {GuardReasons.Name(Reason)}" +
        (Metadata is { } meta ? $" meta 0x{meta.Magic:x8}/{meta.Marks}" : "");
}

/// <summary>
/// The guard's XDP (and optionally TC) object loaded with its maps pinned in a private bpffs directory, plus
/// primitive-argument helpers to configure it, add rules the way the controller stores them, run frames through
/// BPF_PROG_TEST_RUN and read the counters. Shared by the XDP, TC and model tests; needs root (call
/// <see cref="Requires.Root"/> first).
/// </summary>
public sealed class GuardProgramBed : IDisposable
{
    private readonly TestPinDirectory _pins = new(create: true);
    private readonly BpfPerCpuArray<GuardCounter> _stats;
    private GuardConfigFlags _ruleFlags;
    private uint _nextRuleId = 1;

    /// <summary>Loads guard_xdp (and guard_tc when <paramref name="withTc"/>; both share the pinned maps) and writes <see cref="GuardConfigValue.Default"/>.</summary>
    public GuardProgramBed(bool withTc = false)
    {
        try
        {
            var options = new CollectionOptions { PinPath = _pins.Path };
            Xdp = BpfCollection.Load(ReadObject(GuardMapNames.XdpObject, XdpObjectVariable), options);
            if (withTc) Tc = BpfCollection.Load(ReadObject(GuardMapNames.TcObject, TcObjectVariable), options);
            _stats = Xdp.PerCpuArray<GuardCounter>(GuardMapNames.Stats);
            Configure(GuardConfigValue.Default);
        }
        catch
        {
            Tc?.Dispose();
            Xdp?.Dispose();
            _pins.Dispose();
            throw;
        }
    }

    /// <summary>The XDP object (programs and maps).</summary>
    public BpfCollection Xdp { get; }

    /// <summary>The TC object, when requested.</summary>
    public BpfCollection? Tc { get; }

    /// <summary>The pin directory of the shared maps (removed on dispose).</summary>
    public string PinPath => _pins.Path;

    /// <summary>The guard_xdp program.</summary>
    public BpfProgram XdpProgram => Xdp.Program(GuardMapNames.XdpProgram);

    /// <summary>The configuration last written (with the port-rule flags the added rules need).</summary>
    public GuardConfigValue Config { get; private set; }

    /// <summary>
    /// Writes <paramref name="config"/> to both slots and selects slot 0. The GUARD_F_PORT_RULES_* flags of the rules
    /// added so far are OR-ed in.
    /// </summary>
    public void Configure(GuardConfigValue config)
    {
        config.Flags |= _ruleFlags;
        using var slots = Xdp.ArrayMap<GuardConfigValue>(GuardMapNames.Config);
        slots[0] = config;
        slots[1] = config;
        using var selector = Xdp.ArrayMap<uint>(GuardMapNames.ConfigSelect);
        selector[0] = 0;
        Config = config;
    }

    /// <summary>Changes the current configuration with <paramref name="change"/> and writes it.</summary>
    public void Configure(Func<GuardConfigValue, GuardConfigValue> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        Configure(change(Config));
    }

    /// <summary>
    /// Adds a rule like the controller stores it: a /32 or /128 with no protocol in guard_exact4/6, other
    /// any-scope prefixes in guard_rules4/6, protocol (port 0) and port rules in guard_ports4/6 (setting the
    /// family's GUARD_F_PORT_RULES flag). Adding an existing key ORs the actions. Host bits are cleared.
    /// </summary>
    /// <param name="cidr">"198.18.0.0/16", "fd00::1" (a bare address is a host).</param>
    /// <param name="actions">Allow, deny or both.</param>
    /// <param name="protocol">0 for every protocol, else the IP protocol number.</param>
    /// <param name="port">0 for every port, else the destination port (TCP/UDP).</param>
    /// <returns>The rule's id (guard_rule.id).</returns>
    public uint AddRule(string cidr, GuardRuleActions actions, byte protocol = 0, ushort port = 0)
    {
        var (address, prefix) = ParseCidr(cidr);
        var scope = port != 0 ? GuardScope.Port : protocol != 0 ? GuardScope.Protocol : GuardScope.Any;
        var rule = new GuardRuleValue { Actions = actions, PrefixLength = (byte)prefix, Scope = scope, Id = _nextRuleId++ };
        bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
        if (scope == GuardScope.Any)
        {
            if (v4 && prefix == 32) Upsert(Xdp.HashMap<uint, GuardRuleValue>(GuardMapNames.Exact4), V4Word(address), rule);
            else if (v4) Upsert(Lpm<uint>(GuardMapNames.Rules4), new LpmKey<uint>((uint)prefix, V4Word(address)), rule);
            else if (prefix == 128) Upsert(Xdp.HashMap<IPv6Bytes, GuardRuleValue>(GuardMapNames.Exact6), V6Bytes(address), rule);
            else Upsert(Lpm<IPv6Bytes>(GuardMapNames.Rules6), new LpmKey<IPv6Bytes>((uint)prefix, V6Bytes(address)), rule);
            return rule.Id;
        }
        if (v4)
        {
            var data = new GuardPortDataV4 { Protocol = protocol, PortHigh = (byte)(port >> 8), PortLow = (byte)port, Address = V4Word(address) };
            Upsert(Lpm<GuardPortDataV4>(GuardMapNames.Ports4), new LpmKey<GuardPortDataV4>(24 + (uint)prefix, data), rule);
            _ruleFlags |= GuardConfigFlags.PortRulesV4;
        }
        else
        {
            var data = new GuardPortDataV6 { Protocol = protocol, PortHigh = (byte)(port >> 8), PortLow = (byte)port, Address = V6Bytes(address) };
            Upsert(Lpm<GuardPortDataV6>(GuardMapNames.Ports6), new LpmKey<GuardPortDataV6>(24 + (uint)prefix, data), rule);
            _ruleFlags |= GuardConfigFlags.PortRulesV6;
        }
        Configure(Config);
        return rule.Id;
    }

    /// <summary>The stored rule (with its hit counters) for the same arguments as <see cref="AddRule"/>, or null.</summary>
    public GuardRuleValue? ReadRule(string cidr, byte protocol = 0, ushort port = 0)
    {
        var (address, prefix) = ParseCidr(cidr);
        bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
        bool found;
        GuardRuleValue value;
        if (protocol == 0 && port == 0)
        {
            if (v4 && prefix == 32)
            {
                using var map = Xdp.HashMap<uint, GuardRuleValue>(GuardMapNames.Exact4);
                found = map.TryLookup(V4Word(address), out value);
            }
            else if (v4)
            {
                using var map = Lpm<uint>(GuardMapNames.Rules4);
                found = map.TryLookup(new LpmKey<uint>((uint)prefix, V4Word(address)), out value);
            }
            else if (prefix == 128)
            {
                using var map = Xdp.HashMap<IPv6Bytes, GuardRuleValue>(GuardMapNames.Exact6);
                found = map.TryLookup(V6Bytes(address), out value);
            }
            else
            {
                using var map = Lpm<IPv6Bytes>(GuardMapNames.Rules6);
                found = map.TryLookup(new LpmKey<IPv6Bytes>((uint)prefix, V6Bytes(address)), out value);
            }
        }
        else if (v4)
        {
            using var map = Lpm<GuardPortDataV4>(GuardMapNames.Ports4);
            var data = new GuardPortDataV4 { Protocol = protocol, PortHigh = (byte)(port >> 8), PortLow = (byte)port, Address = V4Word(address) };
            found = map.TryLookup(new LpmKey<GuardPortDataV4>(24 + (uint)prefix, data), out value);
        }
        else
        {
            using var map = Lpm<GuardPortDataV6>(GuardMapNames.Ports6);
            var data = new GuardPortDataV6 { Protocol = protocol, PortHigh = (byte)(port >> 8), PortLow = (byte)port, Address = V6Bytes(address) };
            found = map.TryLookup(new LpmKey<GuardPortDataV6>(24 + (uint)prefix, data), out value);
        }
        // An LPM lookup returns the longest match: only the rule stored under exactly this key counts.
        var scope = port != 0 ? GuardScope.Port : protocol != 0 ? GuardScope.Protocol : GuardScope.Any;
        return found && value.PrefixLength == prefix && value.Scope == scope ? value : null;
    }

    /// <summary>
    /// Runs <paramref name="frame"/> through guard_xdp once (repeat 1: repeats wait an RCU grace period here) and
    /// returns the action, the one statistics slot that counted it (throws unless exactly one slot grew by one
    /// packet and the frame's bytes), the output packet and the metadata.
    /// </summary>
    public GuardRun Run(ReadOnlySpan<byte> frame)
    {
        var before = Statistics();
        var context = XdpContext.ForPacket(frame.Length);
        var output = new byte[frame.Length + 512];
        var result = XdpProgram.TestRun(frame, ref context, output);
        var after = Statistics();

        GuardReason? reason = null;
        for (int slot = 0; slot < after.Length; slot++)
        {
            ulong packets = after[slot].Packets - before[slot].Packets, bytes = after[slot].Bytes - before[slot].Bytes;
            if (packets == 0 && bytes == 0) continue;
            if (packets != 1 || bytes != (ulong)frame.Length || reason is not null)
                throw new InvalidOperationException($"the packet was not counted exactly once: slot {slot} grew by {packets} packets, {bytes} bytes");
            reason = (GuardReason)slot;
        }
        if (reason is null) throw new InvalidOperationException("the packet was counted in no statistics slot");

        int metaLength = (int)context.Data;
        GuardMeta? meta = metaLength >= Marshal.SizeOf<GuardMeta>() ? MemoryMarshal.Read<GuardMeta>(output) : null;
        var packet = output.AsSpan(metaLength, result.DataOutLength - metaLength).ToArray();
        return new GuardRun(result.ReturnValue, reason.Value, packet, meta);
    }

    /// <summary>The statistics slots summed over the CPUs (index = <see cref="GuardReason"/>); one batched read.</summary>
    public GuardCounter[] Statistics()
    {
        var sums = new GuardCounter[GuardReasons.SlotCount];
        var keys = new uint[GuardReasons.SlotCount];
        var perCpu = new GuardCounter[GuardReasons.SlotCount * _stats.CpuCount];
        var cursor = new MapBatchCursor();
        int read = 0;
        while (read < keys.Length && !cursor.IsDone)
        {
            int count = _stats.LookupBatch(cursor, keys.AsSpan(read), perCpu.AsSpan(read * _stats.CpuCount));
            if (count == 0) break;
            read += count;
        }
        for (int i = 0; i < read; i++)
        {
            ulong packets = 0, bytes = 0;
            foreach (var counter in perCpu.AsSpan(i * _stats.CpuCount, _stats.CpuCount))
            {
                packets += counter.Packets;
                bytes += counter.Bytes;
            }
            sums[keys[i]] = new GuardCounter(packets, bytes);
        }
        return sums;
    }

    /// <summary>The guard_sources entry of <paramref name="address"/> (IPv4 looked up as ::ffff:a.b.c.d), or null.</summary>
    public GuardSourceState? Source(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var sources = Xdp.HashMap<IPv6Bytes, GuardSourceState>(GuardMapNames.Sources);
        var key = V6Bytes(address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address);
        return sources.TryLookup(key, out var state) ? state : null;
    }

    /// <summary>Overwrites the guard_sources entry of <paramref name="address"/> (e.g. to age a block).</summary>
    public void SetSource(IPAddress address, GuardSourceState state)
    {
        ArgumentNullException.ThrowIfNull(address);
        using var sources = Xdp.HashMap<IPv6Bytes, GuardSourceState>(GuardMapNames.Sources);
        sources.Update(V6Bytes(address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address), state);
    }

    /// <summary>The guard_blocks deadline of <paramref name="address"/> (IPv4 as ::ffff:a.b.c.d), or null.</summary>
    public ulong? Block(IPAddress address)
    {
        using var blocks = Blocks();
        return blocks.TryLookup(SourceKey(address), out var until) ? until : null;
    }

    /// <summary>guard_blocks, typed (the caller disposes it).</summary>
    public BpfHashMap<IPv6Bytes, ulong> Blocks() => Xdp.HashMap<IPv6Bytes, ulong>(GuardMapNames.Blocks);

    /// <summary>Deletes the guard_sources entry of <paramref name="address"/>, as an LRU eviction would.</summary>
    public void EvictSource(IPAddress address)
    {
        using var sources = Xdp.HashMap<IPv6Bytes, GuardSourceState>(GuardMapNames.Sources);
        sources.Delete(SourceKey(address));
    }

    /// <summary>A source as the guard keys it: IPv6 as is, IPv4 as ::ffff:a.b.c.d.</summary>
    public static IPv6Bytes SourceKey(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return V6Bytes(address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address);
    }

    /// <summary>A reader of the sampled-drop ring buffer (the caller disposes it).</summary>
    public BpfRingBuffer OpenEvents() => new(Xdp.Map(GuardMapNames.Events));

    /// <inheritdoc />
    public void Dispose()
    {
        _stats.Dispose();
        Tc?.Dispose();
        Xdp.Dispose();
        _pins.Dispose();
    }

    /// <summary>
    /// Environment variable naming a guard_xdp.bpf.o file to load instead of the embedded object: for iterating on
    /// the C program with clang alone, without rebuilding the test project.
    /// </summary>
    public const string XdpObjectVariable = "SLUICE_GUARD_XDP_OBJECT";

    /// <summary>Like <see cref="XdpObjectVariable"/>, for guard_tc.bpf.o.</summary>
    public const string TcObjectVariable = "SLUICE_GUARD_TC_OBJECT";

    private static Sluice.Bpf.Object.ObjectSpec ReadObject(string embeddedName, string variable)
    {
        var path = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrEmpty(path) ? EmbeddedObjects.Read(embeddedName) : Sluice.Bpf.Object.ObjectReader.Read(path);
    }

    private BpfLpmTrie<TData, GuardRuleValue> Lpm<TData>(string name) where TData : unmanaged => new(Xdp.Map(name));

    private static void Upsert<TKey>(BpfTypedMap<TKey, GuardRuleValue> map, TKey key, GuardRuleValue rule) where TKey : unmanaged
    {
        using (map)
        {
            // A lookup in an LPM trie returns the longest match, which may be a shorter prefix or another scope.
            if (map.TryLookup(key, out var existing) && existing.PrefixLength == rule.PrefixLength && existing.Scope == rule.Scope)
            {
                existing.Actions |= rule.Actions;
                rule = existing;
            }
            map.Update(key, rule);
        }
    }

    private static (IPAddress Address, int Prefix) ParseCidr(string cidr)
    {
        ArgumentNullException.ThrowIfNull(cidr);
        int slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(slash < 0 ? cidr : cidr[..slash]);
        int bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = slash < 0 ? bits : int.Parse(cidr.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture);
        if (prefix < 0 || prefix > bits) throw new ArgumentException($"bad prefix length in {cidr}", nameof(cidr));
        var bytes = address.GetAddressBytes();
        for (int bit = prefix; bit < bits; bit++) bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return (new IPAddress(bytes), prefix);
    }

    private static uint V4Word(IPAddress address) => MemoryMarshal.Read<uint>(address.GetAddressBytes());

    private static IPv6Bytes V6Bytes(IPAddress address)
    {
        var data = default(IPv6Bytes);
        address.TryWriteBytes(data, out _);
        return data;
    }
}
