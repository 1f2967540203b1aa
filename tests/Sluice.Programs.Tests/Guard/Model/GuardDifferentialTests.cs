using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Programs.Guard.Model;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Model;

/// <summary>
/// The differential test of issue 5: random rule sets and at least 100,000 random and mutated frames through
/// guard_xdp (BPF_PROG_TEST_RUN) and through <see cref="GuardPolicyModel"/>; action, reason, metadata marks and the
/// winning rule's hit counters must agree, and the first disagreement fails the test with everything needed to
/// reproduce it. Rate limits are off (the model does not have them). SLUICE_GUARD_DIFF_SEED reruns a seed,
/// SLUICE_GUARD_DIFF_PACKETS changes the count.
/// </summary>
public sealed class GuardDifferentialTests(ITestOutputHelper output)
{
    private const int DefaultPackets = 100_000;
    private const int PacketsPerScenario = 400;
    private const string SeedVariable = "SLUICE_GUARD_DIFF_SEED", PacketsVariable = "SLUICE_GUARD_DIFF_PACKETS";

    [Fact]
    public void Kernel_and_model_agree_on_100000_random_and_mutated_packets()
    {
        Requires.Root();
        using var bed = new GuardProgramBed();
        Compare(new TestBedStage(bed), EnvironmentNumber(PacketsVariable) ?? DefaultPackets);
    }

    /// <summary>
    /// The same comparison with the rules and settings written by <see cref="GuardController.Apply"/> (plan, diff,
    /// slot flip) on a guard attached to a veth, and guard_xdp loaded over its pinned maps: the controller's map
    /// encoding and port-rule flags against the model. A key both allowed and denied is a conflict for the
    /// controller, so each rule set keeps the first rule of every key.
    /// </summary>
    [Fact]
    public void Controller_written_rules_and_the_model_agree_on_20000_packets()
    {
        Requires.Root();
        using var bed = new Controller.GuardTargetBed();
        using var guard = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic, Tc = false });
        // The veth's own IPv6 neighbour discovery and MLD would reach the guard too and count under the rules.
        bed.Veth.InSender("ip", "link", "set", bed.Veth.SenderInterface, "down");
        Thread.Sleep(100);
        using var xdp = BpfCollection.Load(EmbeddedObjects.Read(GuardMapNames.XdpObject), new CollectionOptions { PinPath = bed.Target.PinDirectory });
        Compare(new ControllerStage(guard, xdp), (EnvironmentNumber(PacketsVariable) ?? DefaultPackets) / 5);
    }

    private void Compare(Stage stage, int total)
    {
        int seed = EnvironmentNumber(SeedVariable) ?? Random.Shared.Next();
        output.WriteLine($"seed {seed} ({SeedVariable}={seed} reruns it), {total} packets");
        var generator = new GuardTrafficGenerator(seed);
        var reasons = new Dictionary<GuardReason, int>();
        var scopes = new HashSet<GuardScope>();
        int compared = 0, scenarios = 0, metadataCompared = 0;
        var clock = Stopwatch.StartNew();
        while (compared < total)
        {
            var scenario = generator.NextScenario();
            scenarios++;
            var model = stage.Load(scenario);
            var batch = new List<byte[]>();
            var expectedHits = new Dictionary<GuardRuleKey, (ulong Packets, ulong Bytes)>();
            while (batch.Count < PacketsPerScenario && compared < total)
            {
                foreach (var frame in generator.NextFrames())
                {
                    var expected = model.Evaluate(frame);
                    var actual = stage.Run(frame);
                    bool metadataExpected = expected.CarriesMetadata(model.Config.Flags);
                    if (actual.Action != expected.XdpAction || actual.Reason != expected.Reason
                        || metadataExpected != actual.Metadata.HasValue
                        || (actual.Metadata is { } meta && (meta.Magic != GuardMeta.MagicValue || meta.Marks != expected.Marks)))
                    {
                        Assert.Fail(Disagreement(seed, compared, scenarios, batch.Count, frame, model, expected, actual));
                    }
                    if (actual.Metadata.HasValue) metadataCompared++;
                    if (expected.Winner is { } winner)
                    {
                        expectedHits.TryGetValue(winner.Key, out var hits);
                        expectedHits[winner.Key] = (hits.Packets + 1, hits.Bytes + (ulong)frame.Length);
                        scopes.Add(winner.Scope);
                    }
                    reasons[expected.Reason] = reasons.GetValueOrDefault(expected.Reason) + 1;
                    batch.Add(frame);
                    compared++;
                }
            }
            if (RuleCounterMismatch(stage.ReadCounters(model), expectedHits) is { } mismatch)
                Assert.Fail(CounterDisagreement(seed, scenarios, scenario, stage, model, batch, mismatch));
        }
        clock.Stop();
        output.WriteLine($"{compared} packets in {scenarios} rule sets compared in {clock.Elapsed.TotalSeconds:F1} s, 0 disagreements; "
            + $"{metadataCompared} metadata marks compared; by reason: "
            + string.Join(", ", reasons.OrderBy(r => r.Key).Select(r => $"{GuardReasons.Name(r.Key)} {r.Value}")));
        // The generator must reach every verdict the model can give with limits off, and every rule scope.
        foreach (var reason in new[] { GuardReason.Passed, GuardReason.Allowed, GuardReason.NotIp, GuardReason.Denied, GuardReason.Malformed,
                     GuardReason.Suspicious, GuardReason.DefaultDrop })
            Assert.True(total < 10_000 || reasons.GetValueOrDefault(reason) > total / 500, $"too few packets with reason {GuardReasons.Name(reason)}");
        Assert.True(total < 10_000 || scopes.Count == 3, "not every rule scope won");
    }

    private static int? EnvironmentNumber(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;

    private static string Disagreement(int seed, int index, int scenarioNumber, int indexInScenario, byte[] frame, GuardPolicyModel model,
        GuardDecision expected, GuardRun actual)
    {
        var config = model.Config;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"guard_xdp and the model disagree on packet {index} (rule set {scenarioNumber}, its packet {indexInScenario}); seed {seed}, rerun with {SeedVariable}={seed}");
        text.AppendLine(CultureInfo.InvariantCulture, $"frame ({frame.Length} bytes): {GuardFrames.Hex(frame)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"model's parse: {expected.Packet}");
        text.AppendLine(CultureInfo.InvariantCulture, $"model:  {expected}, metadata {(expected.CarriesMetadata(config.Flags) ? "expected" : "none")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"kernel: {actual}");
        text.AppendLine(CultureInfo.InvariantCulture, $"config: flags [{config.Flags}], default {config.DefaultVerdict}, malformed {config.MalformedVerdict}, suspicious [{config.SuspiciousMarks}]");
        text.Append(CultureInfo.InvariantCulture, $"rule set ({model.Rules.Count} rules):{RuleList(model)}");
        return text.ToString();
    }

    private static string RuleList(GuardPolicyModel model) => string.Concat(model.Rules.Select(r => $"{Environment.NewLine}    {r}"));

    private static string? RuleCounterMismatch(Dictionary<GuardRuleKey, (ulong Packets, ulong Bytes)> actual,
        Dictionary<GuardRuleKey, (ulong Packets, ulong Bytes)> expected)
    {
        foreach (var (key, counted) in actual)
        {
            var wanted = expected.GetValueOrDefault(key);
            if (wanted != counted)
                return $"rule {key}: model {wanted.Packets} packets {wanted.Bytes} bytes, kernel {counted.Packets} packets {counted.Bytes} bytes";
        }
        return null;
    }

    private static string CounterDisagreement(int seed, int scenarioNumber, GuardScenario scenario, Stage stage, GuardPolicyModel model,
        List<byte[]> batch, string mismatch)
    {
        // Replay the rule set's packets one by one to find the first whose counted rule differs.
        model = stage.Load(scenario);
        var before = stage.ReadCounters(model);
        for (int i = 0; i < batch.Count; i++)
        {
            var expected = model.Evaluate(batch[i]);
            stage.Run(batch[i]);
            var after = stage.ReadCounters(model);
            var grown = after.Where(pair => pair.Value != before.GetValueOrDefault(pair.Key)).Select(pair => pair.Key).ToList();
            var expectedKeys = expected.Winner is { } winner ? new List<GuardRuleKey> { winner.Key } : [];
            if (!grown.SequenceEqual(expectedKeys))
            {
                return $"guard_xdp and the model disagree on the winning rule of packet {i} of rule set {scenarioNumber}; seed {seed}, rerun with {SeedVariable}={seed}"
                    + $"{Environment.NewLine}frame ({batch[i].Length} bytes): {GuardFrames.Hex(batch[i])}{Environment.NewLine}model's parse: {expected.Packet}"
                    + $"{Environment.NewLine}model: {expected}{Environment.NewLine}kernel counted: {(grown.Count == 0 ? "no rule" : string.Join(", ", grown))}"
                    + $"{Environment.NewLine}config: flags [{model.Config.Flags}]{Environment.NewLine}rule set ({model.Rules.Count} rules):{RuleList(model)}";
            }
            before = after;
        }
        return $"rule counters disagree after rule set {scenarioNumber} ({mismatch}) but not on replay; seed {seed}{Environment.NewLine}rule set:{RuleList(model)}";
    }

    /// <summary>A guard_xdp program with its maps: stores a rule set, runs frames with one statistics read per frame.</summary>
    private abstract class Stage(BpfProgram program)
    {
        private readonly byte[] _output = new byte[4096];
        private GuardCounter[]? _statistics;

        /// <summary>Stores the scenario's rules and configuration; returns the model of what was stored.</summary>
        public abstract GuardPolicyModel Load(GuardScenario scenario);

        /// <summary>Packets and bytes of every stored rule.</summary>
        public abstract Dictionary<GuardRuleKey, (ulong Packets, ulong Bytes)> ReadCounters(GuardPolicyModel model);

        protected abstract GuardCounter[] Statistics();

        public GuardRun Run(byte[] frame)
        {
            _statistics ??= Statistics();
            var context = XdpContext.ForPacket(frame.Length);
            var result = program.TestRun(frame, ref context, _output);
            var statistics = Statistics();
            GuardReason? reason = null;
            for (int slot = 0; slot < statistics.Length; slot++)
            {
                ulong packets = statistics[slot].Packets - _statistics[slot].Packets, bytes = statistics[slot].Bytes - _statistics[slot].Bytes;
                if (packets == 0 && bytes == 0) continue;
                if (packets != 1 || bytes != (ulong)frame.Length || reason is not null)
                    throw new InvalidOperationException($"frame {GuardFrames.Hex(frame)} was not counted exactly once: slot {slot} grew by {packets} packets, {bytes} bytes");
                reason = (GuardReason)slot;
            }
            _statistics = statistics;
            if (reason is null) throw new InvalidOperationException($"frame {GuardFrames.Hex(frame)} was counted in no statistics slot");
            int metaLength = (int)context.Data;
            GuardMeta? meta = metaLength >= Marshal.SizeOf<GuardMeta>() ? MemoryMarshal.Read<GuardMeta>(_output) : null;
            // Only a SYN cookie reply (XDP_TX, limits on) rewrites the packet; here it must come out as it went in.
            var packet = _output.AsSpan(metaLength, result.DataOutLength - metaLength);
            if (!packet.SequenceEqual(frame))
                throw new InvalidOperationException($"frame {GuardFrames.Hex(frame)} came out changed: {GuardFrames.Hex(packet)}");
            return new GuardRun(result.ReturnValue, reason.Value, [], meta);
        }
    }

    /// <summary>Rules written by the controller (plan + apply) on an attached guard.</summary>
    private sealed class ControllerStage(GuardController guard, BpfCollection xdp) : Stage(xdp.Program(GuardMapNames.XdpProgram))
    {
        public override GuardPolicyModel Load(GuardScenario scenario)
        {
            var rules = scenario.Rules.DistinctBy(r => r.Key).ToList();
            var settings = new GuardSettings
            {
                Default = scenario.Default,
                Malformed = scenario.Malformed,
                Suspicious = scenario.Suspicious,
                Metadata = scenario.Metadata,
                TrackSources = scenario.TrackSources,
            };
            guard.Apply(guard.Plan(new GuardConfig(settings, rules)), force: true);
            // The controller keeps a rule's counters while the rule stays: count from here.
            _baseline = ReadAbsolute();
            return new GuardPolicyModel(rules, settings);
        }

        public override Dictionary<GuardRuleKey, (ulong Packets, ulong Bytes)> ReadCounters(GuardPolicyModel model) =>
            ReadAbsolute().ToDictionary(pair => pair.Key, pair =>
            {
                var start = _baseline.GetValueOrDefault(pair.Key);
                return (pair.Value.Packets - start.Packets, pair.Value.Bytes - start.Bytes);
            });

        private Dictionary<GuardRuleKey, (ulong Packets, ulong Bytes)> ReadAbsolute() =>
            guard.Rules().ToDictionary(entry => entry.Rule.Key, entry => (entry.Packets, entry.Bytes));

        private Dictionary<GuardRuleKey, (ulong Packets, ulong Bytes)> _baseline = [];

        protected override GuardCounter[] Statistics()
        {
            var statistics = guard.ReadStatistics();
            return [.. Enumerable.Range(0, GuardReasons.SlotCount).Select(slot => statistics[(GuardReason)slot])];
        }
    }

    /// <summary>Rules written by the XDP test bed, the way the controller stores them, into freshly emptied maps.</summary>
    private sealed class TestBedStage(GuardProgramBed bed) : Stage(bed.XdpProgram)
    {
        protected override GuardCounter[] Statistics() => bed.Statistics();

        public override GuardPolicyModel Load(GuardScenario scenario)
        {
            Clear(new BpfHashMap<uint, GuardRuleValue>(bed.Xdp.Map(GuardMapNames.Exact4)));
            Clear(new BpfHashMap<IPv6Bytes, GuardRuleValue>(bed.Xdp.Map(GuardMapNames.Exact6)));
            Clear(new BpfLpmTrie<uint, GuardRuleValue>(bed.Xdp.Map(GuardMapNames.Rules4)));
            Clear(new BpfLpmTrie<IPv6Bytes, GuardRuleValue>(bed.Xdp.Map(GuardMapNames.Rules6)));
            Clear(new BpfLpmTrie<GuardPortDataV4, GuardRuleValue>(bed.Xdp.Map(GuardMapNames.Ports4)));
            Clear(new BpfLpmTrie<GuardPortDataV6, GuardRuleValue>(bed.Xdp.Map(GuardMapNames.Ports6)));
            bed.Configure(scenario.ConfigValue());
            // One write per key with both actions merged, longest prefixes first, and each stored value checked: an
            // early GuardProgramBed merged a new LPM key with the shorter covering prefix a lookup found.
            var keys = scenario.Rules.GroupBy(r => r.Key)
                .Select(g => (Key: g.Key, Actions: g.Aggregate(GuardRuleActions.None, (a, r) => a | (r.Action == GuardRuleAction.Allow ? GuardRuleActions.Allow : GuardRuleActions.Deny))))
                .OrderByDescending(k => k.Key.Source.PrefixLength).ToList();
            foreach (var (key, actions) in keys)
                bed.AddRule(key.Source.ToString(), actions, key.Protocol, key.Port);
            foreach (var (key, actions) in keys)
            {
                var stored = bed.ReadRule(key.Source.ToString(), key.Protocol, key.Port);
                var scope = key.Port != 0 ? GuardScope.Port : key.Protocol != 0 ? GuardScope.Protocol : GuardScope.Any;
                if (stored is not { } value || value.Actions != actions || value.PrefixLength != key.Source.PrefixLength || value.Scope != scope)
                    throw new InvalidOperationException($"rule {key} ({actions}) was stored as {(stored is { } v ? $"{v.Actions} /{v.PrefixLength} {v.Scope}" : "nothing")}");
            }
            return new GuardPolicyModel(scenario.Rules, bed.Config);
        }

        public override Dictionary<GuardRuleKey, (ulong Packets, ulong Bytes)> ReadCounters(GuardPolicyModel model)
        {
            var counters = new Dictionary<GuardRuleKey, (ulong, ulong)>();
            foreach (var key in model.Rules.Select(r => r.Key).Distinct())
            {
                var value = bed.ReadRule(key.Source.ToString(), key.Protocol, key.Port)
                    ?? throw new InvalidOperationException($"rule {key} is not in the maps");
                counters[key] = (value.Packets, value.Bytes);
            }
            return counters;
        }

        private static void Clear<TKey>(BpfTypedMap<TKey, GuardRuleValue> map) where TKey : unmanaged
        {
            using (map)
            {
                foreach (var key in map.Keys.ToList()) map.Delete(key);
            }
        }
    }
}
