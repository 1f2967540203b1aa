using System.Runtime.InteropServices;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Tracing;

/// <summary>bpf_perf_event_output records arrive through <see cref="BpfPerfEventArray"/>, complete and in order per CPU.</summary>
public class PerfEventArrayTests
{
    [Fact]
    public void Records_from_test_runs_arrive_in_sequence()
    {
        Requires.Root();
        const int Runs = 500;
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        using var reader = new BpfPerfEventArray(collection.Map("perf_events"), pagesPerCpu: 16);
        Assert.NotEmpty(reader.Cpus);

        var packet = new byte[64];
        collection.Program("xdp_perf_output").TestRun(packet, repeat: Runs);

        var received = new List<PerfRecord>();
        var cpus = new HashSet<int>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (received.Count < Runs && DateTime.UtcNow < deadline)
        {
            reader.Poll((cpu, bytes) =>
            {
                cpus.Add(cpu);
                // The kernel pads raw samples to 8 bytes with their u32 size: 16 bytes of record, 4 of padding.
                Assert.InRange(bytes.Length, Marshal.SizeOf<PerfRecord>(), Marshal.SizeOf<PerfRecord>() + 7);
                received.Add(MemoryMarshal.Read<PerfRecord>(bytes));
            }, 500);
        }

        Assert.Equal(0UL, reader.LostRecords);
        Assert.Equal(Runs, received.Count);
        Assert.Equal(Enumerable.Range(1, Runs).Select(i => (ulong)i), received.Select(r => r.Sequence).Order());
        Assert.All(received, r => Assert.Equal(0x5eedu, r.Magic));
        Assert.All(received, r => Assert.Equal(64u, r.PacketLength));
        Assert.Subset(reader.Cpus.ToHashSet(), cpus);
    }

    [Fact]
    public void A_full_ring_counts_lost_records_instead_of_blocking()
    {
        Requires.Root();
        const int Runs = 20_000; // 20k records of 32 bytes do not fit a one-page ring
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        using var reader = new BpfPerfEventArray(collection.Map("perf_events"), pagesPerCpu: 1);
        collection.Program("xdp_perf_output").TestRun(new byte[64], repeat: Runs);

        int received = 0;
        reader.Consume((_, _) => received++);
        // The kernel reports a loss with the next record that fits on the same CPU, so write more into the drained
        // rings until it does (test runs land on whichever CPU the scheduler picks).
        int flushes = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (reader.LostRecords == 0 && DateTime.UtcNow < deadline)
        {
            collection.Program("xdp_perf_output").TestRun(new byte[64]);
            flushes++;
            reader.Consume((_, _) => received++);
        }

        Assert.True(received < Runs + flushes, $"all {Runs} records fit a one-page ring?");
        Assert.True(reader.LostRecords > 0, "the kernel reported no lost records");
        Assert.True((ulong)received + reader.LostRecords <= (ulong)(Runs + flushes), $"{received} received + {reader.LostRecords} lost > {Runs + flushes} sent");
    }

    [Fact]
    public void Reader_refuses_a_map_that_is_not_a_perf_event_array()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        var error = Assert.Throws<ArgumentException>(() => new BpfPerfEventArray(collection.Map("tracing_counts")));
        Assert.Contains("tracing_counts", error.Message, StringComparison.Ordinal);
    }
}
