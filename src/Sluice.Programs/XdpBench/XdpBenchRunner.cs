using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using Sluice.Bpf;
using Sluice.Programs.TrafficGen;

namespace Sluice.Programs.XdpBench;

/// <summary>
/// Measures an XDP verdict in the spirit of xdp-bench: either the program's own cost through BPF_PROG_TEST_RUN on a
/// given frame, or live on a device (the program attached, its per-CPU counters and the device's counters sampled
/// every second). The live program stays attached only while the run lasts (a bpf_link owned by the run).
/// </summary>
public static class XdpBenchRunner
{
    /// <summary>The frame test runs use by default: 60 bytes of Ethernet + IPv4 + UDP between test addresses.</summary>
    /// <exception cref="TrafficGenException">A size outside 42-1514 bytes (<see cref="TrafficGenError.FrameSize"/>).</exception>
    public static byte[] DefaultFrame(int size = TrafficGenOptions.DefaultFrameSize) =>
        new TrafficFrame(PhysicalAddress.Parse("02-00-00-00-00-01"), PhysicalAddress.Parse("02-00-00-00-00-02"),
            SourceRange.Parse("198.18.0.1:40000"), IPEndPoint.Parse("198.18.0.2:9"), TrafficProtocol.Udp, size).Template.ToArray();

    /// <summary>Runs the program on <paramref name="frame"/> over and over for <paramref name="duration"/> (BPF_PROG_TEST_RUN).</summary>
    /// <exception cref="BpfException">The kernel refused the program or the frame.</exception>
    public static XdpBenchSummary RunTestRun(XdpBenchMode mode, byte[] frame, TimeSpan duration,
        Action<XdpBenchSample>? onSample = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        using var program = XdpBenchProgram.Load(mode, redirectInterfaceIndex: 1);
        var samples = new List<XdpBenchSample>();
        var clock = Stopwatch.StartNew();
        var start = program.Read();
        var last = start;
        var lastAt = TimeSpan.Zero;
        double intervalNs = 0, totalNs = 0;
        long intervalRuns = 0, totalRuns = 0;
        int repeat = 1000;
        while (clock.Elapsed < duration && !cancellationToken.IsCancellationRequested)
        {
            long before = clock.ElapsedTicks;
            var result = program.Program.TestRun(frame, repeat: repeat);
            intervalNs += (double)result.DurationNanoseconds * repeat;
            intervalRuns += repeat;
            double seconds = (clock.ElapsedTicks - before) / (double)Stopwatch.Frequency;
            // ~20 ms per call keeps the per-second lines on time and the syscall cost out of the figure.
            if (seconds > 0) repeat = (int)Math.Clamp(repeat * 0.02 / seconds, 100, 50_000_000);
            var now = clock.Elapsed;
            if (now - lastAt >= TimeSpan.FromSeconds(1) || now >= duration)
            {
                var counters = program.Read();
                var sample = new XdpBenchSample(now, now - lastAt, counters.Since(last), counters.Since(last).Errors, null, intervalNs / intervalRuns);
                samples.Add(sample);
                onSample?.Invoke(sample);
                totalNs += intervalNs;
                totalRuns += intervalRuns;
                (last, lastAt, intervalNs, intervalRuns) = (counters, now, 0, 0);
            }
        }
        var total = program.Read().Since(start);
        return new XdpBenchSummary(mode, true, clock.Elapsed, total, total.Errors, null, totalRuns > 0 ? totalNs / totalRuns : null, samples);
    }

    /// <summary>
    /// Attaches the program to <paramref name="target"/> for <paramref name="duration"/> and samples its counters and
    /// the device's every second; traffic comes from elsewhere (e.g. the traffic generator on the peer).
    /// </summary>
    /// <exception cref="BpfAttachException">No such device, or the attachment was refused.</exception>
    /// <param name="mode">The verdict.</param>
    /// <param name="target">Where to attach.</param>
    /// <param name="duration">How long to sample.</param>
    /// <param name="onSample">Called with each per-second sample.</param>
    /// <param name="cancellationToken">Ends the run early (the summary covers the samples taken).</param>
    /// <param name="onlyPort">Non-zero: count only UDP/TCP frames to this destination port (see <see cref="XdpBenchProgram.Load"/>).</param>
    public static XdpBenchSummary RunLive(XdpBenchMode mode, XdpBenchTarget target, TimeSpan duration,
        Action<XdpBenchSample>? onSample = null, CancellationToken cancellationToken = default, ushort onlyPort = 0)
    {
        ArgumentNullException.ThrowIfNull(target);
        using var netns = target.Namespace is { } name ? NetworkNamespace.Open(name) : NetworkNamespace.Current();
        netns.GetInterfaceIndex(target.Interface);
        int redirectIndex = 0;
        if (mode == XdpBenchMode.Redirect)
        {
            if (target.RedirectTo is null) throw new ArgumentException("redirect needs a target device", nameof(target));
            redirectIndex = netns.GetInterfaceIndex(target.RedirectTo);
        }
        using var program = XdpBenchProgram.Load(mode, redirectIndex, onlyPort);
        using var link = XdpLink.Attach(program.Program, target.Interface, target.AttachMode, netns);
        InterfaceCounters Device() => InterfaceCounters.Read(target.Interface, netns);
        ulong RedirectDrops() => target.RedirectTo is { } to && mode == XdpBenchMode.Redirect ? InterfaceCounters.Read(to, netns).TxDropped : 0;

        var samples = new List<XdpBenchSample>();
        var clock = Stopwatch.StartNew();
        var (firstCounters, firstDevice, firstRedirect) = (program.Read(), Device(), RedirectDrops());
        var (lastCounters, lastDevice, lastRedirect, lastAt) = (firstCounters, firstDevice, firstRedirect, TimeSpan.Zero);
        while (clock.Elapsed < duration && !cancellationToken.IsCancellationRequested)
        {
            var next = TimeSpan.FromSeconds(Math.Floor(lastAt.TotalSeconds) + 1);
            if (next > duration) next = duration;
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero && cancellationToken.WaitHandle.WaitOne(wait)) break;
            var (counters, device, redirect, now) = (program.Read(), Device(), RedirectDrops(), clock.Elapsed);
            var delta = counters.Since(lastCounters);
            var deviceDelta = device.Since(lastDevice);
            ulong errors = delta.Errors + deviceDelta.RxDropped + deviceDelta.TxDropped + (redirect - lastRedirect);
            var sample = new XdpBenchSample(now, now - lastAt, delta, errors, deviceDelta, null);
            samples.Add(sample);
            onSample?.Invoke(sample);
            (lastCounters, lastDevice, lastRedirect, lastAt) = (counters, device, redirect, now);
        }
        var total = lastCounters.Since(firstCounters);
        var totalDevice = lastDevice.Since(firstDevice);
        ulong totalErrors = total.Errors + totalDevice.RxDropped + totalDevice.TxDropped + (lastRedirect - firstRedirect);
        return new XdpBenchSummary(mode, false, lastAt, total, totalErrors, totalDevice, null, samples);
    }
}
