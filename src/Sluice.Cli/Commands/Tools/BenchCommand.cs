using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.TrafficGen;
using Sluice.Programs.XdpBench;

namespace Sluice.Cli.Commands.Tools;

/// <summary>
/// <c>sluice bench xdp drop|pass|tx|redirect</c>: an XDP verdict measured like xdp-bench, either as the program's own
/// cost (BPF_PROG_TEST_RUN on a frame) or live on a device, with per-second lines and a summary.
/// </summary>
internal static class BenchCommand
{
    internal static Command Create()
    {
        var command = new Command("bench", "Benchmark tools (xdp: an XDP verdict, by test run or live on a device)");
        command.Subcommands.Add(CreateXdp());
        return command;
    }

    private static Command CreateXdp()
    {
        var mode = new Argument<string>("MODE") { Description = "drop, pass, tx (MACs swapped) or redirect (--to)" };
        var testRun = new Option<bool>("--test-run") { Description = "Measure the program alone through BPF_PROG_TEST_RUN (ns per packet)" };
        var packet = new Option<FileInfo?>("--packet") { Description = "With --test-run: the frame to run on (raw bytes from the Ethernet header)" };
        var size = new Option<int?>("--size") { Description = "With --test-run: size of the default UDP/IPv4 frame (default 60)" };
        var device = new Option<string?>("--dev") { Description = "Live: attach to this interface and count what arrives" };
        var netns = new Option<string?>("--netns") { Description = "Live: network namespace name of --dev (and --to)" };
        var to = new Option<string?>("--to") { Description = "Redirect target interface (same namespace as --dev)" };
        var attachMode = new Option<string?>("--mode") { Description = "Live: XDP mode, best (default), native or generic" };
        var port = new Option<int>("--port") { Description = "Live: count only UDP/TCP frames to this destination port; pass the rest (counted as other)" };
        var seconds = new Option<double>("--seconds") { Description = "How long to run (default 10)", DefaultValueFactory = _ => 10 };
        var json = CommonOptions.Json();
        var xdp = new Command("xdp",
            "Measure an XDP verdict: --test-run for the program's cost per packet, or --dev DEV [--netns NS] live on a device " +
            "(per-second rx/s, drop/s, pass/s, tx/s, redirect/s and errors, then a summary with the device's own counters)")
        {
            mode, testRun, packet, size, device, netns, to, attachMode, port, seconds, json,
        };
        xdp.SetAction(result => CommandRunner.Run(result.GetValue(json), () =>
        {
            var verdict = result.GetValue(mode)!.ToLowerInvariant() switch
            {
                "drop" => XdpBenchMode.Drop,
                "pass" => XdpBenchMode.Pass,
                "tx" => XdpBenchMode.Tx,
                "redirect" => XdpBenchMode.Redirect,
                var other => throw new CliError($"unknown mode '{other}'; use drop, pass, tx or redirect"),
            };
            var duration = TrafficGenCommand.Seconds(result.GetValue(seconds));
            bool asJson = result.GetValue(json);
            Action<XdpBenchSample>? onSample = asJson ? null : sample => Console.WriteLine(SampleLine(sample));
            XdpBenchSummary summary;
            if (result.GetValue(testRun))
            {
                if (result.GetValue(device) is not null) throw new CliError("give either --test-run or --dev, not both");
                if (result.GetValue(packet) is not null && result.GetValue(size) is not null) throw new CliError("give either --packet or --size, not both");
                byte[] frame = result.GetValue(packet) is { } file
                    ? (file.Exists ? File.ReadAllBytes(file.FullName) : throw new CliError($"{file.FullName}: no such file"))
                    : XdpBenchRunner.DefaultFrame(result.GetValue(size) ?? TrafficGenOptions.DefaultFrameSize);
                if (!asJson) Console.WriteLine($"bench xdp {Name(verdict)}: BPF_PROG_TEST_RUN on a {frame.Length}-byte frame for {duration.TotalSeconds:0.#} s");
                summary = XdpBenchRunner.RunTestRun(verdict, frame, duration, onSample);
            }
            else
            {
                string dev = result.GetValue(device) ?? throw new CliError("give --test-run, or --dev DEV [--netns NS] for a live run");
                if (verdict == XdpBenchMode.Redirect && result.GetValue(to) is null) throw new CliError("redirect needs a target: --to DEV2");
                if (verdict != XdpBenchMode.Redirect && result.GetValue(to) is not null) throw new CliError("--to is for redirect only");
                if (result.GetValue(port) is < 0 or > 65535) throw new CliError($"--port {result.GetValue(port)} is outside 0-65535");
                if (result.GetValue(netns) is { } name) NamespaceResolver.Open(name).Dispose();
                var target = new XdpBenchTarget(dev, result.GetValue(netns), result.GetValue(to), NetOptions.ParseXdpMode(result.GetValue(attachMode)));
                if (!asJson) Console.WriteLine($"bench xdp {Name(verdict)}: live on {dev}{(target.Namespace is { } ns ? $" in {ns}" : "")} for {duration.TotalSeconds:0.#} s (Ctrl+C stops)");
                summary = XdpBenchRunner.RunLive(verdict, target, duration, onSample, CancelOnCtrlC(), (ushort)result.GetValue(port));
            }
            if (asJson) WriteJson(summary);
            else Console.WriteLine(SummaryText(summary));
            return 0;
        }));
        return xdp;
    }

    private static CancellationToken CancelOnCtrlC()
    {
        var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        return cancellation.Token;
    }

    private static string Name(XdpBenchMode mode) => mode.ToString().ToLowerInvariant();

    private static string SampleLine(XdpBenchSample s) =>
        FormattableString.Invariant($"{s.Elapsed.TotalSeconds,6:0.0}s  rx/s {s.PerSecond(s.Counters.Rx),12:N0}  drop/s {s.PerSecond(s.Counters.Drop),12:N0}  ") +
        FormattableString.Invariant($"pass/s {s.PerSecond(s.Counters.Pass),12:N0}  tx/s {s.PerSecond(s.Counters.Tx),12:N0}  redirect/s {s.PerSecond(s.Counters.Redirect),12:N0}  ") +
        FormattableString.Invariant($"errors {s.Errors}") + (s.NanosecondsPerPacket is { } ns ? FormattableString.Invariant($"  {ns:0.0} ns/pkt") : "");

    private static string SummaryText(XdpBenchSummary summary)
    {
        var t = summary.Total;
        var text = FormattableString.Invariant($"summary: {Name(summary.Mode)} {summary.Elapsed.TotalSeconds:0.0} s: rx {t.Rx} ({summary.RxPerSecond:N0}/s), ") +
            FormattableString.Invariant($"drop {t.Drop}, pass {t.Pass}, tx {t.Tx}, redirect {t.Redirect}, errors {summary.Errors}");
        if (summary.NanosecondsPerPacket is { } ns) text += string.Create(CultureInfo.InvariantCulture, $", {ns:0.0} ns per packet (kernel-measured test run)");
        if (summary.Device is { } device)
        {
            ulong counted = t.Rx + t.Other;
            text += FormattableString.Invariant($"\n         interface counters over the same seconds: rx {device.RxPackets} packets") +
                (device.RxPackets > 0 ? FormattableString.Invariant($" (program saw {counted}, {100.0 * counted / device.RxPackets:0.00} %)") : "") +
                (t.Other > 0 ? $"; {t.Other} frames to other ports passed uncounted" : "");
        }
        return text;
    }

    private static void WriteJson(XdpBenchSummary summary) => JsonOutput.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("mode", Name(summary.Mode));
        writer.WriteBoolean("test_run", summary.TestRun);
        writer.WriteNumber("seconds", Math.Round(summary.Elapsed.TotalSeconds, 3));
        WriteCounters(writer, summary.Total, summary.Errors);
        writer.WriteNumber("rx_per_second", Math.Round(summary.RxPerSecond));
        if (summary.NanosecondsPerPacket is { } ns) writer.WriteNumber("ns_per_packet", Math.Round(ns, 2));
        if (summary.Device is { } device)
        {
            writer.WriteStartObject("interface");
            writer.WriteNumber("rx_packets", device.RxPackets);
            writer.WriteNumber("rx_dropped", device.RxDropped);
            writer.WriteNumber("tx_packets", device.TxPackets);
            writer.WriteNumber("tx_dropped", device.TxDropped);
            writer.WriteEndObject();
        }
        writer.WriteStartArray("samples");
        foreach (var sample in summary.Samples)
        {
            writer.WriteStartObject();
            writer.WriteNumber("elapsed", Math.Round(sample.Elapsed.TotalSeconds, 3));
            writer.WriteNumber("interval", Math.Round(sample.Interval.TotalSeconds, 3));
            WriteCounters(writer, sample.Counters, sample.Errors);
            if (sample.NanosecondsPerPacket is { } sampleNs) writer.WriteNumber("ns_per_packet", Math.Round(sampleNs, 2));
            if (sample.Device is { } d) writer.WriteNumber("interface_rx_packets", d.RxPackets);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static void WriteCounters(Utf8JsonWriter writer, XdpBenchCounters counters, ulong errors)
    {
        writer.WriteNumber("rx", counters.Rx);
        writer.WriteNumber("drop", counters.Drop);
        writer.WriteNumber("pass", counters.Pass);
        writer.WriteNumber("tx", counters.Tx);
        writer.WriteNumber("redirect", counters.Redirect);
        writer.WriteNumber("other", counters.Other);
        writer.WriteNumber("errors", errors);
    }
}
