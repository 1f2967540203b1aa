using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.RingBuffers;

/// <summary>The reader against compiled producers loaded through <see cref="BpfCollection"/>.</summary>
public class RingBufferFixtureTests
{
    [Fact]
    public void Sustained_stream_arrives_in_order_and_every_loss_is_a_counted_drop()
    {
        Requires.Root();
        const int Events = 1_000_000;
        // ringbuf_seq: 16-byte records take 24 bytes, ~10,900 per 256 KiB ring, so the stream wraps it ~90 times.
        using var collection = BpfCollection.Load(Fixture.Path("ringbuf_seq"));
        using var ring = new BpfRingBuffer(collection.Map("events"));
        Assert.Equal(256u * 1024, ring.Size);
        var program = collection.Program("ringbuf_seq");

        var producing = BackgroundThread<int>.Start(() =>
        {
            for (int sent = 0; sent < Events; sent += 100_000) program.TestRun(new byte[64], repeat: 100_000);
            return Events;
        });
        var check = SequenceCheck.ForFixture();
        while (producing.IsRunning) ring.Poll(static (record, c) => c.Accept(record), check, 50);
        producing.Join(TimeSpan.FromSeconds(60));
        ring.Consume(static (record, c) => c.Accept(record), check);

        ulong emitted = collection.ReadGlobal<ulong>("sequence_counter");
        ulong dropped = collection.ReadGlobal<ulong>("dropped");
        Assert.Null(check.Error);
        Assert.Equal((ulong)Events, emitted);
        Assert.True(check.Received > 0);
        // Strictly increasing sequence numbers, none above Events, and received + dropped = emitted:
        // every number that was not dropped arrived exactly once, in order.
        Assert.True(check.Last <= Events);
        Assert.Equal(emitted, check.Received + dropped);
        Assert.Equal(0, ring.PendingBytes);
    }

    [Fact]
    public void Object_fixture_events_arrive_numbered_in_order_from_both_output_and_reserve()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("ringbuf"));
        using var ring = new BpfRingBuffer(collection.Map("events"));
        var program = collection.Program("xdp_ringbuf");
        const int Runs = 2000; // 2000 × 24 bytes fits the fixture's 64 KiB ring: no drops possible

        program.TestRun(new byte[60], repeat: Runs);
        var kinds = new int[3];
        ulong expected = 1;
        int handled = ring.Consume(record =>
        {
            Assert.Equal(16, record.Length);
            Assert.Equal(expected++, BitConverter.ToUInt64(record));
            Assert.Equal(60u, BitConverter.ToUInt32(record[8..]));
            kinds[BitConverter.ToUInt32(record[12..])]++;
        });

        Assert.Equal(Runs, handled);
        Assert.Equal(Runs / 2, kinds[1]); // bpf_ringbuf_output
        Assert.Equal(Runs / 2, kinds[2]); // bpf_ringbuf_reserve + submit
    }

    [Fact]
    public void Records_of_every_length_from_14_to_255_bytes_arrive_intact_across_many_wraps()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("ringbuf_seq"));
        using var ring = new BpfRingBuffer(collection.Map("events"));
        var program = collection.Program("ringbuf_sized");

        ulong expected = 1;
        long bytes = 0;
        for (int round = 0; round < 40; round++)
        {
            for (int length = 14; length <= 255; length++)
            {
                // repeat 1: the kernel swaps the XDP dispatcher (an RCU grace period) around every run with repeat > 1.
                program.TestRun(new byte[length]);
                bytes += (length + 8 + 7) & ~7;
            }
            ring.Consume(record =>
            {
                Assert.Equal(expected++, BitConverter.ToUInt64(record));
                Assert.Equal(record.Length, record[8]);
            });
        }
        Assert.Equal(0UL, collection.ReadGlobal<ulong>("dropped"));
        Assert.Equal((ulong)(40 * 242), expected - 1);
        Assert.True(bytes > 4 * ring.Size, "the test should wrap the ring several times");
    }

    [Fact]
    public void Discarded_records_from_a_compiled_program_are_skipped()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("ringbuf_seq"));
        using var ring = new BpfRingBuffer(collection.Map("events"));
        collection.Program("ringbuf_discard").TestRun(new byte[64], repeat: 100);

        var sequences = new List<ulong>();
        ring.Consume(record => sequences.Add(BitConverter.ToUInt64(record)));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (ulong)(2 * i)), sequences);
        Assert.Equal(0, ring.PendingBytes);
    }
}
