using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.RingBuffers;

/// <summary>Record framing: wrap-around, discarded records, busy records, rejection of other map types.</summary>
public class RingBufferLayoutTests
{
    [Theory]
    [InlineData(100)] // 112-byte footprint: 4096 is not a multiple, so records straddle the end of the ring
    [InlineData(248)] // 256-byte footprint divides the ring: records end exactly at its end
    [InlineData(250)] // 264-byte footprint
    public void Records_that_wrap_the_ring_arrive_whole(int recordLength)
    {
        Requires.Root();
        using var producer = new HandAssembledProducer(4096, recordLength);
        using var ring = new BpfRingBuffer(producer.Ring);
        var check = new SequenceCheck(recordLength);
        int perRound = (int)(4096 / ((recordLength + 8 + 7) & ~7)) / 2;
        int wrapped = 0;
        ulong position = 0;
        for (int round = 0; round < 40; round++)
        {
            producer.Run(perRound);
            for (int i = 0; i < perRound; i++)
            {
                ulong footprint = (ulong)((recordLength + 8 + 7) & ~7);
                if ((position % 4096) + footprint > 4096) wrapped++;
                position += footprint;
            }
            Assert.Equal(perRound, ring.Consume(static (record, c) => c.Accept(record), check));
        }
        Assert.Null(check.Error);
        Assert.Equal((ulong)(40 * perRound), check.Received);
        if (4096 % ((recordLength + 8 + 7) & ~7) != 0) Assert.True(wrapped > 0, "no record straddled the end of the ring");
    }

    [Fact]
    public void Discarded_records_are_skipped_and_their_space_is_released()
    {
        Requires.Root();
        using var producer = new HandAssembledProducer(64 * 1024, 16, ProducerMode.DiscardOdd);
        using var ring = new BpfRingBuffer(producer.Ring);
        producer.Run(1000);

        var sequences = new List<ulong>();
        int handled = ring.Consume(record => sequences.Add(HandAssembledProducer.Verify(record, 16)));

        Assert.Equal(500, handled);
        Assert.Equal(Enumerable.Range(1, 500).Select(i => (ulong)(2 * i)), sequences);
        Assert.Equal(0, ring.PendingBytes);
    }

    [Fact]
    public void Consume_on_an_empty_ring_returns_zero_and_poll_times_out()
    {
        Requires.Root();
        using var producer = new HandAssembledProducer(4096);
        using var ring = new BpfRingBuffer(producer.Ring);
        Assert.Equal(0, ring.Consume(_ => Assert.Fail("no record expected")));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(0, ring.Poll(_ => Assert.Fail("no record expected"), 50));
        // A timeout never ends early; the upper bound only tells a timeout from a hang.
        Assert.InRange(clock.ElapsedMilliseconds, 40, (long)Wait.Generous.TotalMilliseconds);
    }

    [Fact]
    public void A_handler_that_throws_consumes_its_record_and_propagates()
    {
        Requires.Root();
        using var producer = new HandAssembledProducer(4096);
        using var ring = new BpfRingBuffer(producer.Ring);
        producer.Run(3);

        Assert.Throws<FormatException>(() => ring.Consume(_ => throw new FormatException()));
        var rest = new List<ulong>();
        ring.Consume(record => rest.Add(BitConverter.ToUInt64(record)));
        Assert.Equal([2UL, 3UL], rest);
    }

    [Fact]
    public void Only_ring_buffer_maps_are_accepted()
    {
        Requires.Root();
        using var hash = BpfMap.Create(new MapSpec { Name = "not_a_ring", Type = BpfMapType.Hash, KeySize = 4, ValueSize = 4, MaxEntries = 1 });
        var error = Assert.Throws<ArgumentException>(() => new BpfRingBuffer(hash));
        Assert.Contains("not_a_ring", error.Message, StringComparison.Ordinal);
    }
}
