using System.Diagnostics;
using Sluice.Cli.Commands.Guard;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands;

/// <summary>
/// The demo's live view. On a terminal: the senders' progress above the <c>guard stats --watch</c> view, redrawn in
/// place. Redirected (scripts, tests): one plain row per tick with the senders' progress and the counters since the start.
/// </summary>
internal sealed class DemoLiveView(GuardController guard, GuardStatistics before, DemoTraffic traffic, bool terminal)
{
    private static readonly GuardReason[] Shown =
    [
        GuardReason.Allowed, GuardReason.Passed, GuardReason.Denied, GuardReason.RateLimited, GuardReason.SynLimited,
        GuardReason.Blocked, GuardReason.TcPassed,
    ];

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly GuardStatsView _view = new() { Title = "guard on demo-srv", ShowIdleReasons = false };
    private GuardStatistics? _previous;
    private TimeSpan _previousTime;

    internal void WriteHeader(TextWriter output)
    {
        if (terminal) return;
        output.Write($"{"TIME",5}  {"CLIENT OK/TRIED",15}  {"FLOOD SENT",10}  {"NOISY SENT",10}");
        foreach (var reason in Shown) output.Write($"  {GuardReasons.Name(reason).ToUpperInvariant(),12}");
        output.WriteLine();
    }

    internal void WriteRow(TextWriter output)
    {
        var now = guard.ReadStatistics();
        var elapsed = _clock.Elapsed;
        string client = $"{traffic.Client.Successes}/{traffic.Client.Attempts}";
        if (terminal)
        {
            string progress = $"{elapsed.TotalSeconds,4:0.0}s  client ok/tried {client}   flood sent {traffic.FloodSent}   noisy sent {traffic.Noisy.Sent}\n\n";
            _view.Draw(output, progress + _view.Render(_previous, now, elapsed - _previousTime, guard.TopSources(5)));
            _previous = now;
            _previousTime = elapsed;
            return;
        }
        output.Write($"{elapsed.TotalSeconds,4:0.0}s  {client,15}  {traffic.FloodSent,10}  {traffic.Noisy.Sent,10}");
        foreach (var reason in Shown) output.Write($"  {now[reason].Packets - before[reason].Packets,12}");
        output.WriteLine();
        output.Flush();
    }
}
