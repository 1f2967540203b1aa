using System.Diagnostics;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands;

/// <summary>The demo's live table: one row per tick with the senders' progress and the guard's counters since the start.</summary>
internal sealed class DemoLiveView(GuardController guard, GuardStatistics before, DemoTraffic traffic)
{
    private static readonly GuardReason[] Shown =
    [
        GuardReason.Allowed, GuardReason.Passed, GuardReason.Denied, GuardReason.RateLimited, GuardReason.SynLimited,
        GuardReason.Blocked, GuardReason.TcPassed,
    ];

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    internal void WriteHeader(TextWriter output)
    {
        output.Write($"{"TIME",5}  {"CLIENT OK/TRIED",15}  {"FLOOD SENT",10}  {"NOISY SENT",10}");
        foreach (var reason in Shown) output.Write($"  {GuardReasons.Name(reason).ToUpperInvariant(),12}");
        output.WriteLine();
    }

    internal void WriteRow(TextWriter output)
    {
        var now = guard.ReadStatistics();
        string client = $"{traffic.Client.Successes}/{traffic.Client.Attempts}";
        output.Write($"{_clock.Elapsed.TotalSeconds,4:0.0}s  {client,15}  {traffic.FloodSent,10}  {traffic.Noisy.Sent,10}");
        foreach (var reason in Shown) output.Write($"  {now[reason].Packets - before[reason].Packets,12}");
        output.WriteLine();
        output.Flush();
    }
}
