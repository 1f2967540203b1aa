// Loads protocol_counter.bpf.c through its generated class, runs a few packets through it with
// BPF_PROG_TEST_RUN (no network interface needed) and prints the per-protocol counters.
using Sluice.Bpf;
using XdpProtocolCounter;

// Loading needs root (or CAP_BPF + CAP_NET_ADMIN); without it Load throws a BpfException saying so.
using var counter = ProtocolCounterObject.Load(constants => constants.DropProtocol = Packets.Udp);

foreach (var (name, packet) in Packets.Samples)
{
    var result = counter.CountProtocols.TestRun(packet);
    Console.WriteLine($"{name,-12} {packet.Length,4} bytes -> {result.XdpAction}");
}

Console.WriteLine();
Console.WriteLine("protocol  packets  bytes");
foreach (var (name, number) in Packets.Protocols)
{
    // A per-CPU map holds one value per CPU: add them up.
    var perCpu = counter.Stats.Lookup(number) ?? [];
    ulong packets = 0, bytes = 0;
    foreach (var value in perCpu)
    {
        packets += value.Packets;
        bytes += value.Bytes;
    }
    Console.WriteLine($"{name,-8} {packets,8} {bytes,6}");
}
return 0;
