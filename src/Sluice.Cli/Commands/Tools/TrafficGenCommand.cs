using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.TrafficGen;

namespace Sluice.Cli.Commands.Tools;

/// <summary><c>sluice trafficgen DEV ...</c>: bounded UDP / TCP SYN traffic out of one interface (live XDP frames or AF_PACKET).</summary>
internal static class TrafficGenCommand
{
    internal static Command Create()
    {
        var device = new Argument<string>("DEV") { Description = "Interface the frames leave through" };
        var netns = new Option<string?>("--netns") { Description = "Network namespace name (/var/run/netns/NAME) of DEV" };
        var destination = new Option<string>("--dst") { Description = "Destination IP[:PORT] (IPv6 with a port: [ADDR]:PORT; port default 9)", Required = true };
        var destinationMac = new Option<string?>("--dst-mac") { Description = "Destination MAC (default: the neighbour table's, resolved if needed)" };
        var source = new Option<string?>("--src") { Description = "Sources ADDR[-ADDR][:PORT[-PORT]] cycled per frame (default: DEV's address, ports 32768-60999)" };
        var protocol = new Option<string>("--proto") { Description = "udp or tcp-syn", DefaultValueFactory = _ => "udp" };
        var size = new Option<int?>("--size") { Description = "Frame size in bytes, Ethernet header included (default 60; at most 1514)" };
        var count = new Option<long?>("--count") { Description = "Stop after N frames" };
        var pps = new Option<long>("--pps") { Description = "Pace to N frames per second (default: as fast as possible)" };
        var seconds = new Option<double?>("--seconds") { Description = "Stop after S seconds" };
        var engine = new Option<string>("--engine") { Description = "auto (live frames, else AF_PACKET), live or packet-socket", DefaultValueFactory = _ => "auto" };
        var batch = new Option<int>("--batch") { Description = "Live frames per kernel flush, 1-256 (default: the kernel's 64)" };
        var allowAny = new Option<bool>("--allow-any-address") { Description = "Allow addresses outside 198.18.0.0/15 and fd00::/8 (only on networks you own)" };
        var json = CommonOptions.Json();
        var command = new Command("trafficgen",
            "Send a bounded run of UDP or TCP SYN frames out of DEV (BPF_PROG_RUN live frames, AF_PACKET fallback); " +
            "test addresses only (198.18.0.0/15, fd00::/8) unless --allow-any-address")
        {
            device, netns, destination, destinationMac, source, protocol, size, count, pps, seconds, engine, batch, allowAny, json,
        };
        command.SetAction(result => CommandRunner.Run(result.GetValue(json), () =>
        {
            if (result.GetValue(netns) is { } name) NamespaceResolver.Open(name).Dispose();
            if (result.GetValue(count) is null && result.GetValue(seconds) is null)
                throw new CliError("give --count, --seconds or both: every run is bounded");
            var options = new TrafficGenOptions(result.GetValue(device)!, TrafficGenOptions.ParseDestination(result.GetValue(destination)!))
            {
                Namespace = result.GetValue(netns),
                DestinationMac = result.GetValue(destinationMac) is { } mac ? ParseMac(mac) : null,
                Source = result.GetValue(source) is { } src ? SourceRange.Parse(src) : null,
                Protocol = result.GetValue(protocol)!.ToLowerInvariant() switch
                {
                    "udp" => TrafficProtocol.Udp,
                    "tcp-syn" or "syn" => TrafficProtocol.TcpSyn,
                    var other => throw new CliError($"unknown protocol '{other}'; use udp or tcp-syn"),
                },
                FrameSize = result.GetValue(size),
                Count = result.GetValue(count),
                Duration = result.GetValue(seconds) is { } s ? Seconds(s) : null,
                PacketsPerSecond = result.GetValue(pps),
                Engine = result.GetValue(engine)!.ToLowerInvariant() switch
                {
                    "auto" => TrafficEngine.Auto,
                    "live" or "live-frames" => TrafficEngine.LiveFrames,
                    "packet-socket" or "af-packet" => TrafficEngine.PacketSocket,
                    var other => throw new CliError($"unknown engine '{other}'; use auto, live or packet-socket"),
                },
                BatchSize = result.GetValue(batch),
                AllowAnyAddress = result.GetValue(allowAny),
            };
            var run = new TrafficGenerator(options).Run();
            if (result.GetValue(json)) WriteJson(run, options);
            else WriteText(run, options);
            return 0;
        }));
        return command;
    }

    private static PhysicalAddress ParseMac(string text) =>
        PhysicalAddress.TryParse(text, out var mac) && mac.GetAddressBytes().Length == 6
            ? mac
            : throw new CliError($"bad MAC address '{text}' (expected six hex bytes, e.g. 02:00:00:00:00:02)");

    internal static TimeSpan Seconds(double seconds) =>
        double.IsFinite(seconds) && seconds > 0 && seconds <= 86_400
            ? TimeSpan.FromSeconds(seconds)
            : throw new CliError($"--seconds {seconds.ToString(CultureInfo.InvariantCulture)} must be above 0 and at most 86400");

    private static string EngineName(TrafficEngine engine) => engine == TrafficEngine.LiveFrames ? "live-frames" : "packet-socket";

    private static void WriteText(TrafficGenResult run, TrafficGenOptions options)
    {
        string where = options.Namespace is { } ns ? $"{options.Interface} in {ns}" : options.Interface;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trafficgen: {run.PacketsSent} packets in {run.Elapsed.TotalSeconds:0.000} s = {run.PacketsPerSecond:N0} pps ({EngineName(run.Engine)}) out of {where}"));
        if (run.FallbackReason is { } reason) Console.WriteLine($"  not live frames: {reason}");
        if (run.CpuTime is { } cpu && run.CpuWait is { } wait)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  sending thread: {cpu.TotalSeconds:0.000} s on a CPU ({run.PacketsPerCpuSecond:N0} packets per CPU second), {wait.TotalSeconds:0.000} s waiting for one"));
            if (wait > run.Elapsed * 0.1)
                Console.WriteLine("  the machine was busy: the sending thread waited for a CPU for over a tenth of the run, so the rate is the machine's limit");
        }
        Console.WriteLine($"  {options.Interface} counted: tx {run.Device.TxPackets} packets, {run.Device.TxBytes} bytes, tx dropped {run.Device.TxDropped}");
    }

    private static void WriteJson(TrafficGenResult run, TrafficGenOptions options) => JsonOutput.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("dev", options.Interface);
        if (options.Namespace is { } ns) writer.WriteString("netns", ns);
        writer.WriteString("engine", EngineName(run.Engine));
        if (run.FallbackReason is { } reason) writer.WriteString("fallback_reason", reason);
        writer.WriteNumber("packets", run.PacketsSent);
        writer.WriteNumber("seconds", Math.Round(run.Elapsed.TotalSeconds, 6));
        writer.WriteNumber("pps", Math.Round(run.PacketsPerSecond));
        if (run.CpuTime is { } cpu) writer.WriteNumber("cpu_seconds", Math.Round(cpu.TotalSeconds, 6));
        if (run.CpuWait is { } wait) writer.WriteNumber("cpu_wait_seconds", Math.Round(wait.TotalSeconds, 6));
        writer.WriteStartObject("device");
        writer.WriteNumber("tx_packets", run.Device.TxPackets);
        writer.WriteNumber("tx_bytes", run.Device.TxBytes);
        writer.WriteNumber("tx_dropped", run.Device.TxDropped);
        writer.WriteEndObject();
        writer.WriteEndObject();
    });
}
