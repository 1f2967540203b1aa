using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;
using Sluice.Lab.Traffic;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice demo</c>: the guard end to end in throwaway network namespaces. A server behind the guard, a legitimate
/// TCP client, a noisy host above its packet rate and an attacker flooding SYNs and UDP from a spoofed range, all at
/// once for a few seconds; live counters twice a second, a summary that accounts for every flood packet, and
/// everything (namespaces, veth pair, links, pins) removed at the end, also on Ctrl+C.
/// </summary>
internal static class DemoCommand
{
    internal static readonly IPNetwork AttackerRange = IPNetwork.Parse("198.19.0.0/16");
    internal static readonly IPNetwork ClientRange = IPNetwork.Parse("198.18.0.0/28");
    private static readonly TimeSpan TrafficTime = TimeSpan.FromSeconds(4);
    private const int FloodPacketsPerSecond = 4000;
    private const int NoisyPacketsPerSecond = 3000;

    internal static Command Create()
    {
        var demo = new Command("demo", "The guard end to end: a client, a noisy host and an attacker in throwaway namespaces, live counters, everything removed at the end");
        demo.SetAction(_ => CommandRunner.Run(Run));
        return demo;
    }

    private static int Run()
    {
        if (!Environment.IsPrivilegedProcess)
            throw new CliError("the demo needs root: it creates network namespaces and attaches XDP and TC programs");
        using var interrupt = new CancellationTokenSource();
        void Interrupt(PosixSignalContext context)
        {
            // Keep the process alive: the finally blocks below must remove the namespaces and the pins.
            context.Cancel = true;
            interrupt.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        var clock = Stopwatch.StartNew();
        DemoCleanup.SweepOrphanPins();

        Console.WriteLine("Creating two network namespaces joined by a veth pair ...");
        using var network = DemoNetwork.Create();
        var target = new GuardTarget(DemoNetwork.ServerInterface, network.ServerNamespace);
        try
        {
            return RunScenario(network, target, interrupt.Token);
        }
        finally
        {
            DemoCleanup.Remove(target);
            network.Dispose();
            Console.WriteLine($"Removed the namespaces, the veth pair, the guard's links and pins ({clock.Elapsed.TotalSeconds:0.0} s in all).");
        }
    }

    private static int RunScenario(DemoNetwork network, GuardTarget target, CancellationToken cancellationToken)
    {
        Console.WriteLine($"  {network.ClientNamespace}: legitimate client {DemoNetwork.ClientAddress}, noisy host {DemoNetwork.NoisyAddress}, attacker spoofing {AttackerRange}");
        Console.WriteLine($"  {network.ServerNamespace}: TCP echo server {DemoNetwork.ServerAddress}:7 on {DemoNetwork.ServerInterface}");
        using var serverNamespace = NetworkNamespace.Open(network.ServerNamespace);
        using var clientNamespace = NetworkNamespace.Open(network.ClientNamespace);

        // Generic (skb) mode: on veth, native mode puts frames from the peer through a 256-entry ring that a flood
        // overruns, and those drops happen before XDP can count them; generic mode sees every packet, works on any
        // interface, and on veth costs the same per packet (KERNEL-LAB.md). Real NICs should use native mode.
        using var guard = GuardController.Attach(target, new GuardAttachOptions { Mode = XdpMode.Generic });
        var deny = new GuardRule(AttackerRange, GuardRuleAction.Deny);
        var allow = new GuardRule(ClientRange, GuardRuleAction.Allow);
        guard.AddRules([deny, allow]);
        var limits = new GuardLimits
        {
            PacketsPerSecond = 1000, Burst = 200, SynPerSecond = 50, SynBurst = 20, BlockTime = TimeSpan.FromSeconds(1),
        };
        guard.UpdateSettings(guard.Settings with { Limits = limits, TrackSources = true });
        var status = guard.Status();
        Console.WriteLine($"Guard attached to {target.Describe()}: XDP {status.XdpMode?.ToString().ToLowerInvariant() ?? "?"} (prog {status.XdpProgramId}), " +
            $"TC {status.TcMethod ?? "off"} (prog {status.TcProgramId})");
        Console.WriteLine($"  rules: {deny}, {allow}");
        Console.WriteLine($"  limits for everyone else: {limits.PacketsPerSecond} pps (burst {limits.Burst}), {limits.SynPerSecond} SYN/s " +
            $"(burst {limits.SynBurst}), then blocked for {limits.BlockTime.TotalSeconds:0} s");

        var server = new IPEndPoint(IPAddress.Parse(DemoNetwork.ServerAddress), 7);
        using var echo = TcpEchoServer.Start(server, serverNamespace);
        using var sink = UdpSink.Start(new IPEndPoint(server.Address, 9000), serverNamespace);
        var traffic = new DemoTraffic(server, sink.LocalEndPoint, TrafficTime, FloodPacketsPerSecond, NoisyPacketsPerSecond);
        var before = guard.ReadStatistics();
        Console.WriteLine();
        Console.WriteLine($"Traffic for {TrafficTime.TotalSeconds:0} s: client {traffic.Client.Options.Connections} TCP connections, " +
            $"noisy host {NoisyPacketsPerSecond} UDP pps, attacker {FloodPacketsPerSecond} SYN pps + {FloodPacketsPerSecond} UDP pps");
        var running = traffic.Start(clientNamespace, cancellationToken);
        var view = new DemoLiveView(guard, before, traffic, terminal: !Console.IsOutputRedirected);
        view.WriteHeader(Console.Out);
        while (!running.Wait(TimeSpan.FromMilliseconds(500), CancellationToken.None)) view.WriteRow(Console.Out);
        view.WriteRow(Console.Out);
        if (running.IsFaulted) throw running.Exception.GetBaseException();
        if (cancellationToken.IsCancellationRequested)
        {
            Console.WriteLine("Interrupted.");
            return 130;
        }
        return DemoSummary.Write(Console.Out, guard, before, traffic, sink, deny, allow);
    }
}
