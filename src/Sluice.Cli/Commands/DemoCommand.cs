using System.CommandLine;
using System.Net;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Packets;
using Sluice.Programs.Sample;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice demo</c>: loads the sample XDP packet counter into the kernel, runs crafted packets through it with
/// BPF_PROG_TEST_RUN, and shows verdicts and the kernel-side counters. Nothing is attached or pinned, so
/// nothing is left behind. (The guard replaces this demo once it exists.)
/// </summary>
internal static class DemoCommand
{
    internal static Command Create()
    {
        var demo = new Command("demo", "Load the sample XDP program, test-run crafted packets, show verdicts and counters");
        demo.SetAction(_ => CommandRunner.Run(Run));
        return demo;
    }

    private static int Run()
    {
        var client = IPAddress.Parse("198.18.0.1");
        var server = IPAddress.Parse("198.19.0.1");
        const ushort blockedPort = 9;
        Console.WriteLine($"Loading packet_counter.bpf.o (XDP; UDP to port {blockedPort} is dropped) ...");
        using var counter = PacketCounter.Load(blockedPort);
        var program = counter.Program;
        Console.WriteLine($"Loaded program '{program.Name}' id {program.Id} tag {program.Tag}");
        Console.WriteLine();

        var packets = new (string Name, byte[] Frame, int Repeat)[]
        {
            ("TCP SYN to 443", PacketBuilder.Tcp4(client, server, 40000, 443), 100),
            ("UDP to 53", PacketBuilder.Udp4(client, server, 40000, 53), 100),
            ($"UDP to {blockedPort} (blocked)", PacketBuilder.Udp4(client, server, 40000, blockedPort), 100),
            ("ICMP echo", PacketBuilder.Icmp4Echo(client, server), 100),
            ("truncated IPv4", PacketBuilder.Udp4(client, server, 1, 2)[..20], 100),
        };
        var runs = new TextTable("PACKET", "BYTES", "RUNS", "VERDICT", "NS/RUN");
        var output = new byte[2048];
        foreach (var (name, frame, repeat) in packets)
        {
            var result = program.TestRun(frame, output, repeat);
            runs.Add(name, frame.Length, repeat, result.XdpAction.ToString(), result.DurationNanoseconds);
        }
        runs.Write(Console.Out);
        Console.WriteLine();

        Console.WriteLine("Kernel-side counters (per-CPU array, summed):");
        var counters = new TextTable("SLOT", "PACKETS", "BYTES");
        foreach (var (slot, count) in counter.Read()) counters.Add(slot.ToString(), count.Packets, count.Bytes);
        counters.Write(Console.Out);
        Console.WriteLine();
        Console.WriteLine("Done: the program and its maps were unloaded on exit.");
        return 0;
    }
}
