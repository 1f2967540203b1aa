using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>
/// <c>sluice guard events</c>: the sampled dropped packets (1 in sample-rate) from the guard's ring buffer: time,
/// reason, source -> destination, protocol, ports, length. Without --follow it prints what is queued and exits.
/// </summary>
internal static class GuardEventsCommand
{
    internal static Command Create()
    {
        var count = new Option<string?>("--count") { Description = "Stop after this many events (default: all queued; with --follow, until Ctrl+C)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep waiting for new events until Ctrl+C (or --count)" };
        var json = new Option<bool>("--json") { Description = "JSON: an array; with --follow one JSON line per event" };
        var target = new GuardTargetOptions();
        var command = new Command("events", "Sampled dropped packets: time, reason, source -> destination, protocol, ports, length") { count, follow, json };
        target.AddTo(command);
        command.SetAction(result => GuardRunner.RunCancellable(cancellation =>
        {
            uint? limit = result.GetValue(count) is { } c ? GuardText.ParseCount(c, "--count") : null;
            bool follows = result.GetValue(follow), asJson = result.GetValue(json);
            var guard = target.Resolve(result);
            using var controller = GuardController.Open(guard);
            using var reader = controller.OpenEvents();
            var collected = new List<GuardEvent>();
            uint seen = 0;
            while ((limit is null || seen < limit) && !cancellation.IsCancellationRequested)
            {
                // Without --follow, take what is queued; with it, wake up regularly to notice Ctrl+C.
                var batch = reader.Read(follows ? TimeSpan.FromMilliseconds(200) : TimeSpan.Zero);
                if (batch.Count == 0 && !follows) break;
                foreach (var e in batch)
                {
                    if (limit is not null && seen >= limit) break;
                    seen++;
                    if (!follows) collected.Add(e);
                    else if (asJson) GuardJson.WriteLine(writer => WriteJson(writer, e));
                    else
                    {
                        Console.Out.WriteLine(Line(e));
                        Console.Out.Flush();
                    }
                }
            }
            if (!follows)
            {
                if (asJson)
                {
                    JsonOutput.Write(writer =>
                    {
                        writer.WriteStartArray();
                        foreach (var e in collected) WriteJson(writer, e);
                        writer.WriteEndArray();
                    });
                }
                else
                {
                    foreach (var e in collected) Console.Out.WriteLine(Line(e));
                    if (collected.Count == 0) Console.Error.WriteLine($"no sampled drops queued on {guard.Describe()} (sampling 1 in {controller.Settings.SampleRate})");
                }
            }
            return 0;
        }));
        return command;
    }

    /// <summary>"14:31:02.123456 denied 198.19.0.5:40000 -> 198.18.0.2:80 tcp len 60".</summary>
    internal static string Line(GuardEvent e)
    {
        bool ports = e.Protocol is 6 or 17;
        string source = Endpoint(e.Source, ports ? e.SourcePort : null);
        string destination = Endpoint(e.Destination, ports ? e.DestinationPort : null);
        if (e.Source is null) return $"{Time(e).ToLocalTime().ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture)} {GuardReasons.Name(e.Reason),-14} non-IP len {e.Length}";
        return $"{Time(e).ToLocalTime().ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture)} {GuardReasons.Name(e.Reason),-14} " +
            $"{source} -> {destination} {(e.Protocol == 0 ? "ip" : GuardText.Protocol(e.Protocol))} len {e.Length}";
    }

    /// <summary>
    /// The wall-clock time of an event: its stamp is bpf_ktime_get_ns (CLOCK_MONOTONIC), the clock Stopwatch reads on
    /// Linux, so the age is the distance between the two and the time is now minus the age.
    /// </summary>
    internal static DateTime Time(GuardEvent e) => MonotonicEpoch.Value + TimeSpan.FromTicks((long)(e.TimestampNs / 100));

    /// <summary>The wall-clock time at which CLOCK_MONOTONIC was zero, read once (both clocks back to back, warmed up).</summary>
    private static readonly Lazy<DateTime> MonotonicEpoch = new(() =>
    {
        _ = DateTime.UtcNow;
        _ = Stopwatch.GetTimestamp();
        var now = DateTime.UtcNow;
        long nowNs = (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
        return now - TimeSpan.FromTicks(nowNs / 100);
    });

    private static string Endpoint(System.Net.IPAddress? address, ushort? port)
    {
        if (address is null) return "?";
        string text = GuardStatsRates.Address(address);
        if (port is null) return text;
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6
            ? $"[{text}]:{port}" : $"{text}:{port}";
    }

    private static void WriteJson(Utf8JsonWriter writer, GuardEvent e)
    {
        writer.WriteStartObject();
        writer.WriteString("time", Time(e).ToString("O", CultureInfo.InvariantCulture));
        writer.WriteString("reason", GuardReasons.Name(e.Reason));
        writer.WriteString("source", e.Source is null ? null : GuardStatsRates.Address(e.Source));
        writer.WriteString("destination", e.Destination is null ? null : GuardStatsRates.Address(e.Destination));
        if (e.Source is null) writer.WriteNull("protocol"); else writer.WriteString("protocol", GuardText.Protocol(e.Protocol));
        if (e.Protocol is 6 or 17)
        {
            writer.WriteNumber("source_port", e.SourcePort);
            writer.WriteNumber("destination_port", e.DestinationPort);
        }
        writer.WriteNumber("length", e.Length);
        writer.WriteEndObject();
    }
}
