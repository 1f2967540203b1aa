using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.RingBuffers;

/// <summary>
/// Cancellation, disposal while waiting, the single-consumer rule and allocation-free polling. Waits use an infinite
/// poll timeout, so returning at all proves the wake-up; how fast it comes is a benchmark's business, not a test's.
/// </summary>
public class RingBufferLifetimeTests
{
    [Fact]
    public async Task Cancelling_ReadAllAsync_while_it_waits_ends_it()
    {
        Requires.Root();
        using var producer = new HandAssembledProducer(4096);
        using var ring = new BpfRingBuffer(producer.Ring);
        using var cancellation = new CancellationTokenSource();

        var reading = Task.Run(async () =>
        {
            await foreach (var _ in ring.ReadAllAsync(cancellation.Token)) Assert.Fail("no record expected");
        });
        await Task.Delay(200); // most likely the reader is in epoll_wait by now; if not, cancelling must end it all the same
        Assert.False(reading.IsCompleted);

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(Wait.Generous));
    }

    [Fact]
    public void Dispose_wakes_a_blocked_poll_which_returns_zero()
    {
        Requires.Root();
        using var producer = new HandAssembledProducer(4096);
        var ring = new BpfRingBuffer(producer.Ring);

        var polling = BackgroundThread<int>.Start(() => ring.Poll(_ => { }, -1));
        Thread.Sleep(200);
        Assert.True(polling.IsRunning);

        ring.Dispose();
        int handled = polling.Join(Wait.Generous); // Poll(-1) has no timeout: only the dispose can end it
        Assert.Equal(0, handled);
        Assert.Throws<ObjectDisposedException>(() => ring.Poll(_ => { }, 0));
        ring.Dispose(); // twice is fine
    }

    [Fact]
    public async Task Dispose_ends_a_waiting_ReadAllAsync()
    {
        Requires.Root();
        using var producer = new HandAssembledProducer(4096);
        var ring = new BpfRingBuffer(producer.Ring);

        int count = 0;
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in ring.ReadAllAsync()) count++;
        });
        await Task.Delay(200);
        ring.Dispose();
        await reading.WaitAsync(Wait.Generous);
        Assert.Equal(0, count);
    }

    [Fact]
    public void Dispose_while_a_handler_runs_unmaps_only_after_it_returns()
    {
        Requires.Root();
        using var producer = new HandAssembledProducer(4096);
#pragma warning disable CA2000 // disposed from another thread inside the handler: that is what this test is about
        var ring = new BpfRingBuffer(producer.Ring);
#pragma warning restore CA2000
        producer.Run(2);

        var sequences = new List<ulong>();
        ring.Consume(record =>
        {
            // Disposing from another thread in the middle of a handler must not pull the mapping from under us.
            if (sequences.Count == 0) BackgroundThread<bool>.Start(() => { ring.Dispose(); return true; }).Join(Wait.Generous);
            sequences.Add(BitConverter.ToUInt64(record));
        });
        Assert.Equal([1UL, 2UL], sequences);
        Assert.Throws<ObjectDisposedException>(() => ring.Consume(_ => { }));
    }

    [Fact]
    public void A_second_concurrent_consumer_is_refused()
    {
        Requires.Root();
        using var producer = new HandAssembledProducer(4096);
        using var ring = new BpfRingBuffer(producer.Ring);
        producer.Run(1);

        InvalidOperationException? error = null;
        ring.Consume(_ => error = Assert.Throws<InvalidOperationException>(() => ring.Consume(_ => { })));
        Assert.NotNull(error);
        Assert.Contains("one consumer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Polling_with_a_static_handler_allocates_nothing_per_record()
    {
        Requires.Root();
        using var producer = new HandAssembledProducer(256 * 1024);
        using var ring = new BpfRingBuffer(producer.Ring);
        var check = new SequenceCheck(16);
        // One lambda for both calls: a static lambda's delegate is created (once) on its first use.
        System.Buffers.ReadOnlySpanAction<byte, SequenceCheck> handler = static (record, c) => c.Accept(record);
        producer.Run(100);
        ring.Poll(handler, check, 0); // warm-up: JIT and tiering

        producer.Run(5000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int handled = ring.Poll(handler, check, 0);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(5000, handled);
        Assert.Null(check.Error);
        Assert.Equal(0, allocated);
    }
}
