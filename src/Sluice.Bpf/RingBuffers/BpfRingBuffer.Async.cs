using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sluice.Bpf;

public sealed partial class BpfRingBuffer
{
    /// <summary>Records copied out per consume; bounds the memory a burst can pin between two yields.</summary>
    private const int AsyncBatchSize = 256;

    /// <summary>
    /// Every record, copied into its own array, in order, until <paramref name="cancellationToken"/> is cancelled
    /// (the enumeration then throws <see cref="OperationCanceledException"/> within microseconds, also while it is
    /// waiting for data) or the reader is disposed (the enumeration then ends). Linux 5.8.
    /// </summary>
    /// <remarks>
    /// Records are copied out in batches of up to 256 and their ring space released before they are yielded, so a
    /// slow loop body does not hold the producer back by more than one batch. While the ring is empty one
    /// thread-pool thread is blocked in epoll_wait. For zero-copy, allocation-free reading use
    /// <see cref="Poll{TState}(ReadOnlySpanAction{byte, TState}, TState, int)"/>.
    /// </remarks>
    public IAsyncEnumerable<byte[]> ReadAllAsync(CancellationToken cancellationToken = default) =>
        ReadCopiesAsync<byte[]>(static (record, batch) => batch.Add(record.ToArray()), cancellationToken);

    /// <summary>
    /// Every record read as a <typeparamref name="T"/> (the first sizeof(T) bytes of the record, in the machine's
    /// byte order), in order; cancellation and disposal behave as for <see cref="ReadAllAsync(CancellationToken)"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">A record is shorter than <typeparamref name="T"/>.</exception>
    public IAsyncEnumerable<T> ReadAllAsync<T>(CancellationToken cancellationToken = default) where T : unmanaged =>
        ReadCopiesAsync<T>(static (record, batch) =>
        {
            if (record.Length < Unsafe.SizeOf<T>())
                throw new InvalidDataException($"ring buffer record of {record.Length} bytes is shorter than {typeof(T).Name} ({Unsafe.SizeOf<T>()} bytes)");
            batch.Add(MemoryMarshal.Read<T>(record));
        }, cancellationToken);

    private async IAsyncEnumerable<TItem> ReadCopiesAsync<TItem>(
        ReadOnlySpanAction<byte, List<TItem>> copy, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new List<TItem>(AsyncBatchSize);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            batch.Clear();
            if (!TryConsumeBatch(copy, batch)) yield break;
            if (batch.Count == 0)
            {
                await WaitForDataAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            // Yield outside the consumer role: the caller's loop body may take arbitrarily long.
            foreach (var item in batch) yield return item;
        }
    }

    /// <summary>Copies up to a batch of ready records; false once the reader is disposed.</summary>
    private bool TryConsumeBatch<TItem>(ReadOnlySpanAction<byte, List<TItem>> copy, List<TItem> batch)
    {
        if (!TryBeginConsumer()) return false;
        try
        {
            ConsumeReady(copy, batch, AsyncBatchSize);
            return true;
        }
        finally
        {
            EndConsumer();
        }
    }

    /// <summary>
    /// Waits on a pool thread for data, disposal or cancellation. Cancellation signals the eventfd in the epoll set,
    /// so the blocked epoll_wait returns at once instead of at the next event.
    /// </summary>
    private async Task WaitForDataAsync(CancellationToken cancellationToken)
    {
        using (cancellationToken.UnsafeRegister(static state => ((BpfRingBuffer)state!).Wake(), this))
        {
            await Task.Factory.StartNew(
                static state =>
                {
                    var (reader, cancellation) = ((BpfRingBuffer, CancellationToken))state!;
                    if (!reader.TryBeginConsumer()) return;
                    try
                    {
                        reader.WaitForData(-1, cancellation);
                    }
                    finally
                    {
                        reader.EndConsumer();
                    }
                },
                (this, cancellationToken), CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default)
                .ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
    }
}
