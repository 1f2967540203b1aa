using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.RingBuffers;

/// <summary>Order and completeness of delivery while a producer runs on another thread.</summary>
public class RingBufferDeliveryTests
{
    [Fact]
    public void Stream_throttled_below_ring_capacity_loses_nothing()
    {
        Requires.Root();
        const int Events = 200_000;
        const int Chunk = 2_000; // 48 KB of records: always fits once the ring is below half full
        using var producer = new HandAssembledProducer(256 * 1024);
        using var ring = new BpfRingBuffer(producer.Ring);

        var producing = BackgroundThread<int>.Start(() =>
        {
            for (int sent = 0; sent < Events; sent += Chunk)
            {
                while (ring.PendingBytes > ring.Size / 2) Thread.Yield();
                producer.Run(Chunk);
            }
            return Events;
        });

        var check = new SequenceCheck(producer.RecordLength);
        while (producing.IsRunning || ring.PendingBytes > 0) ring.Poll(static (record, c) => c.Accept(record), check, 50);
        producing.Join(TimeSpan.FromSeconds(60));

        Assert.Null(check.Error);
        Assert.Equal(0UL, producer.Counters().Dropped);
        Assert.Equal((ulong)Events, check.Received);
        Assert.Equal((ulong)Events, check.Last);
    }

    [Fact]
    public async Task ReadAllAsync_delivers_typed_copies_in_order()
    {
        Requires.Root();
        using var producer = new HandAssembledProducer(64 * 1024);
        using var ring = new BpfRingBuffer(producer.Ring);
        producer.Run(1000);

        ulong expected = 1;
        using var timeout = new CancellationTokenSource(Wait.Generous);
        await foreach (var record in ring.ReadAllAsync<SequenceRecord>(timeout.Token))
        {
            Assert.Equal(expected, record.Sequence);
            Assert.Equal(16UL, record.Length);
            if (expected++ == 1000) break;
        }
        Assert.Equal(0, ring.PendingBytes);
    }

    [Fact]
    public async Task ReadAllAsync_wakes_for_records_submitted_while_it_waits()
    {
        Requires.Root();
        using var producer = new HandAssembledProducer(64 * 1024);
        using var ring = new BpfRingBuffer(producer.Ring);
        using var timeout = new CancellationTokenSource(Wait.Generous);

        var received = new List<ulong>();
        var reading = Task.Run(async () =>
        {
            await foreach (var record in ring.ReadAllAsync(timeout.Token))
            {
                received.Add(HandAssembledProducer.Verify(record, 16));
                if (received.Count == 30) break;
            }
        });
        for (int i = 0; i < 3; i++)
        {
            await Task.Delay(50);
            producer.Run(10);
        }
        await reading;
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (ulong)i), received);
    }

    [Fact]
    public void Poll_blocked_on_an_empty_ring_wakes_for_the_first_submit()
    {
        Requires.Root();
        using var producer = new HandAssembledProducer(4096);
        using var ring = new BpfRingBuffer(producer.Ring);

        // No timeout: a poll that returns with the record can only have been woken by the submit.
        var polling = BackgroundThread<int>.Start(() => ring.Poll(record => HandAssembledProducer.Verify(record, 16), -1));
        Thread.Sleep(100);
        Assert.True(polling.IsRunning);
        producer.Run(1);
        Assert.Equal(1, polling.Join(Wait.Generous));
    }

    [Fact]
    public async Task ReadAllAsync_of_a_struct_longer_than_the_record_fails_clearly()
    {
        Requires.Root();
        using var producer = new HandAssembledProducer(4096, recordLength: 8);
        using var ring = new BpfRingBuffer(producer.Ring);
        producer.Run(1);

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var _ in ring.ReadAllAsync<SequenceRecord>()) Assert.Fail("no record expected");
        });
        Assert.Contains("8 bytes", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The record layout the hand-assembled producer writes for 16-byte records.</summary>
    private readonly record struct SequenceRecord(ulong Sequence, ulong Length);
}
