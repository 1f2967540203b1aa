using Sluice.Bpf;
using Sluice.Programs;
using Sluice.Programs.Guard;

namespace Sluice.Benchmarks.Guard;

/// <summary>
/// The guard's XDP program as Sluice.Programs embeds it, loaded with its maps pinned in a private bpffs directory
/// (removed on dispose), its configuration and rules written straight into the maps through the ABI mirrors
/// (Guard/Abi): what the controller writes, without a controller.
/// </summary>
public sealed class GuardUnderTest : IDisposable
{
    private readonly BpfCollection _collection;

    /// <summary>Loads the program; the configuration is the fresh-attach default (drop malformed, pass the rest, metadata on).</summary>
    public GuardUnderTest()
    {
        PinDirectory = $"/sys/fs/bpf/sluice-bench-guard-{Environment.ProcessId}-{Interlocked.Increment(ref _instances)}";
        Directory.CreateDirectory(PinDirectory);
        try
        {
            _collection = BpfCollection.Load(EmbeddedObjects.Read(GuardMapNames.XdpObject), new CollectionOptions { PinPath = PinDirectory });
            Program = _collection.Program(GuardMapNames.XdpProgram);
            var config = GuardConfigValue.Default;
            config.Flags = GuardConfigFlags.Metadata;
            using var slots = new BpfArrayMap<GuardConfigValue>(_collection.Map(GuardMapNames.Config));
            slots.Update(0, config);
            using var select = new BpfArrayMap<uint>(_collection.Map(GuardMapNames.ConfigSelect));
            select.Update(0, 0);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private static int _instances;

    /// <summary>Where the maps are pinned.</summary>
    public string PinDirectory { get; }

    /// <summary>guard_xdp.</summary>
    public BpfProgram Program { get; } = null!;

    /// <summary>The guard_xdp.bpf.c commit this build embeds (git log of the source), for the report.</summary>
    public static string SourceCommit() => Harness.BenchPaths.LastCommit("src/Sluice.Programs/bpf/guard_xdp.bpf.c");

    /// <summary>Writes every rule of <paramref name="rules"/> as a deny rule (batched).</summary>
    public void Deny(GuardRuleSet rules)
    {
        Write(new BpfLpmTrie<uint, GuardRuleValue>(_collection.Map(GuardMapNames.Rules4)), rules.Prefixes4, k => (byte)k.PrefixLength);
        Write(new BpfLpmTrie<IPv6Bytes, GuardRuleValue>(_collection.Map(GuardMapNames.Rules6)), rules.Prefixes6, k => (byte)k.PrefixLength);
        Write(new BpfHashMap<uint, GuardRuleValue>(_collection.Map(GuardMapNames.Exact4)), rules.Exact4, _ => 32);
        Write(new BpfHashMap<IPv6Bytes, GuardRuleValue>(_collection.Map(GuardMapNames.Exact6)), rules.Exact6, _ => 128);
    }

    /// <summary>Writes exact IPv4 deny addresses only (the rule kind xdp-filter has).</summary>
    public void DenyExact4(IEnumerable<uint> addresses) =>
        Write(new BpfHashMap<uint, GuardRuleValue>(_collection.Map(GuardMapNames.Exact4)), [.. addresses], _ => 32);

    /// <summary>Writes one IPv4 deny prefix.</summary>
    public void Deny(LpmKey<uint> prefix) =>
        Write(new BpfLpmTrie<uint, GuardRuleValue>(_collection.Map(GuardMapNames.Rules4)), [prefix], k => (byte)k.PrefixLength);

    /// <summary>Packets counted under <paramref name="reason"/>, summed over CPUs.</summary>
    public ulong Count(GuardReason reason)
    {
        using var stats = new BpfPerCpuArray<GuardCounter>(_collection.Map(GuardMapNames.Stats));
        return (stats.Lookup((uint)reason) ?? []).Aggregate(0UL, (sum, counter) => sum + counter.Packets);
    }

    private static void Write<TKey>(BpfTypedMap<TKey, GuardRuleValue> map, List<TKey> keys, Func<TKey, byte> prefixLength)
        where TKey : unmanaged
    {
        using (map)
        {
            var values = new GuardRuleValue[keys.Count];
            for (int i = 0; i < keys.Count; i++)
                values[i] = new GuardRuleValue { Actions = GuardRuleActions.Deny, PrefixLength = prefixLength(keys[i]), Scope = GuardScope.Any, Id = (uint)i + 1 };
            int written = map.UpdateBatch(keys.ToArray(), values);
            if (written != keys.Count) throw new InvalidOperationException($"wrote {written} of {keys.Count} rules into {map.Map.Name}");
        }
    }

    /// <summary>Closes the program and maps and removes the pins.</summary>
    public void Dispose()
    {
        _collection?.Dispose();
        if (!Directory.Exists(PinDirectory)) return;
        foreach (var pin in Directory.GetFiles(PinDirectory)) File.Delete(pin);
        Directory.Delete(PinDirectory);
    }
}
