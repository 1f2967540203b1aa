using Sluice.Bpf;

namespace Sluice.Cli.Commands;

/// <summary>The value buffer of a per-CPU map: one value per possible CPU, each padded to 8 bytes as the kernel copies them.</summary>
internal static class PerCpuValues
{
    /// <summary>Bytes from one CPU's value to the next.</summary>
    internal static int Stride(BpfMap map) => (int)((map.ValueSize + 7) & ~7u);

    /// <summary>Each CPU's value in <paramref name="buffer"/>, without its padding.</summary>
    internal static IEnumerable<(int Cpu, ReadOnlyMemory<byte> Value)> Split(BpfMap map, byte[] buffer)
    {
        int stride = Stride(map);
        for (int cpu = 0; cpu * stride < buffer.Length; cpu++)
            yield return (cpu, buffer.AsMemory(cpu * stride, (int)map.ValueSize));
    }
}
