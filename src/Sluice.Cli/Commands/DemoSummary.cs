using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;
using Sluice.Lab.Traffic;

namespace Sluice.Cli.Commands;

/// <summary>The demo's closing summary: the client's success rate and where every flood and noisy packet went.</summary>
internal static class DemoSummary
{
    internal static int Write(TextWriter output, GuardController guard, GuardStatistics before, DemoTraffic traffic, UdpSink sink,
        GuardRule deny, GuardRule allow)
    {
        var client = traffic.ClientResult!;
        var syn = traffic.SynResult!;
        var udp = traffic.UdpResult!;
        long floodSent = syn.PacketsSent + udp.PacketsSent;
        long noisySent = traffic.NoisySent;
        // The last packets may still be in a softirq on the other CPU: let the counters catch up (briefly).
        GuardStatistics after = guard.ReadStatistics();
        ulong Delta(GuardReason reason) => after[reason].Packets - before[reason].Packets;
        ulong NoisyDropped() => Delta(GuardReason.RateLimited) + Delta(GuardReason.SynLimited) + Delta(GuardReason.Blocked);
        var deadline = DateTime.UtcNow.AddSeconds(1);
        while (((long)Delta(GuardReason.Denied) < floodSent || sink.Received + (long)NoisyDropped() < noisySent) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
            after = guard.ReadStatistics();
        }

        output.WriteLine();
        output.WriteLine("Summary");
        output.WriteLine($"  legitimate client: {client.Successes}/{client.Attempts} connections succeeded, success rate {client.SuccessRate * 100:0.00}% " +
            $"(median {client.MedianLatency.TotalMilliseconds:0.00} ms, p99 {client.P99Latency.TotalMilliseconds:0.00} ms)");
        foreach (var (error, count) in client.Errors) output.WriteLine($"    failed: {error} x{count}");
        ulong denied = Delta(GuardReason.Denied);
        output.WriteLine($"  attacker flood: {floodSent} packets sent (SYN {syn.PacketsSent}, UDP {udp.PacketsSent}), {denied} denied by rule " +
            $"'{deny}': {Accounted(floodSent, (long)denied)}");
        output.WriteLine($"  noisy host: {noisySent} packets sent, {sink.Received} delivered, {NoisyDropped()} dropped " +
            $"(rate_limited {Delta(GuardReason.RateLimited)}, blocked {Delta(GuardReason.Blocked)}): {Accounted(noisySent, sink.Received + (long)NoisyDropped())}");
        output.WriteLine();

        var counters = new TextTable("REASON", "PACKETS", "BYTES");
        foreach (var reason in GuardReasons.All)
        {
            ulong packets = Delta(reason);
            if (packets > 0) counters.Add(GuardReasons.Name(reason), packets, after[reason].Bytes - before[reason].Bytes);
        }
        counters.Write(output);
        output.WriteLine();
        var rules = new TextTable("RULE", "HITS");
        foreach (var entry in guard.Rules().Where(e => e.Rule == deny || e.Rule == allow)) rules.Add(entry.Rule.ToString(), entry.Packets);
        rules.Write(output);
        output.WriteLine();
        return 0;
    }

    private static string Accounted(long sent, long counted) => sent == counted
        ? "all accounted for"
        : $"{sent - counted} unaccounted for (dropped before the guard saw them: see `ip -s link`)";
}
