namespace Sluice.Bpf;

/// <summary>Two 32-bit halves: struct bpf_devmap_val / bpf_cpumap_val (ifindex or qsize, then program fd in / id out).</summary>
internal struct FdPair(uint first, int second)
{
    public uint First = first;
    public int Second = second;
}
