using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Reads records that BPF programs write into a BPF_MAP_TYPE_RINGBUF map (Linux 5.8) with bpf_ringbuf_output or
/// bpf_ringbuf_reserve + bpf_ringbuf_submit. The ring is memory-mapped: records are handed to you in place, without
/// a copy and without a system call while data is waiting; <see cref="Poll(RingBufferRecordHandler, int)"/> blocks in
/// epoll only when the ring is empty. The kernel wakes a waiting reader on each submit unless the program passed
/// BPF_RB_NO_WAKEUP.
/// </summary>
/// <remarks>
/// A ring has one consumer: Consume, Poll and ReadAllAsync must not run concurrently (doing so throws
/// <see cref="InvalidOperationException"/>). <see cref="Dispose"/> may be called from any thread at any time: it
/// wakes a blocked Poll, which then returns 0, and unmaps the ring only once that call has left.
/// The reader does not own the map; dispose the map separately.
/// </remarks>
public sealed unsafe partial class BpfRingBuffer : IDisposable
{
    private readonly RingBufferMapping _mapping;
    private readonly ulong _mask;
    private int _disposed;
    private int _consumerActive;

    /// <summary>Maps the ring buffer of <paramref name="map"/> (Linux 5.8).</summary>
    /// <exception cref="ArgumentException">The map is not a BPF_MAP_TYPE_RINGBUF.</exception>
    /// <exception cref="BpfException">mmap, epoll_create1 or eventfd failed.</exception>
    public BpfRingBuffer(BpfMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type != BpfMapType.RingBuf)
            throw new ArgumentException($"map '{map.Name}' is a {map.Type} map, not a RingBuf map", nameof(map));
        // The kernel enforces a power-of-two, page-aligned size at map creation, which makes the mask valid.
        Map = map;
        Size = map.MaxEntries;
        _mask = Size - 1UL;
        bool added = false;
        map.Fd.DangerousAddRef(ref added);
        try
        {
            _mapping = RingBufferMapping.Create(map.Fd.Value, Size, map.Name);
        }
        finally
        {
            if (added) map.Fd.DangerousRelease();
        }
    }

    /// <summary>The ring buffer map this reader consumes.</summary>
    public BpfMap Map { get; }

    /// <summary>Size of the data area in bytes (the map's max_entries).</summary>
    public uint Size { get; }

    /// <summary>Bytes submitted (or reserved) by producers and not yet consumed.</summary>
    public long PendingBytes
    {
        get
        {
            if (!TryEnter()) throw new ObjectDisposedException(nameof(BpfRingBuffer));
            try
            {
                return (long)(Volatile.Read(ref *_mapping.ProducerPosition) - Volatile.Read(ref *_mapping.ConsumerPosition));
            }
            finally
            {
                _mapping.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Hands every record that is ready to <paramref name="handler"/>, in order, without waiting. Stops at the first
    /// record still being written. Discarded records are skipped.
    /// </summary>
    /// <returns>The number of records handled.</returns>
    /// <remarks>
    /// If the handler throws, the record it was given counts as consumed (so a record the handler cannot
    /// process does not come back forever) and the exception propagates.
    /// </remarks>
    public int Consume(RingBufferRecordHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Consume(InvokeHandler, handler);
    }

    /// <summary>
    /// Like <see cref="Consume(RingBufferRecordHandler)"/> with a state argument, so a static lambda can be used and
    /// nothing is allocated per call.
    /// </summary>
    public int Consume<TState>(ReadOnlySpanAction<byte, TState> handler, TState state)
    {
        ArgumentNullException.ThrowIfNull(handler);
        BeginConsumer();
        try
        {
            return ConsumeReady(handler, state, int.MaxValue);
        }
        finally
        {
            EndConsumer();
        }
    }

    /// <summary>
    /// Handles the records that are ready; if there are none, waits up to <paramref name="timeoutMs"/> milliseconds
    /// (-1: no limit, 0: do not wait) for a producer to submit one, then handles what arrived.
    /// </summary>
    /// <returns>The number of records handled: 0 when the time ran out or when <see cref="Dispose"/> woke the wait.</returns>
    /// <exception cref="ObjectDisposedException">The reader was disposed before the call.</exception>
    public int Poll(RingBufferRecordHandler handler, int timeoutMs)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Poll(InvokeHandler, handler, timeoutMs);
    }

    /// <summary>
    /// Like <see cref="Poll(RingBufferRecordHandler, int)"/> with a state argument, so a static lambda can be used
    /// and nothing is allocated per call.
    /// </summary>
    public int Poll<TState>(ReadOnlySpanAction<byte, TState> handler, TState state, int timeoutMs)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutMs, -1);
        BeginConsumer();
        try
        {
            int handled = ConsumeReady(handler, state, int.MaxValue);
            if (handled > 0 || timeoutMs == 0) return handled;
            if (!WaitForData(timeoutMs, CancellationToken.None)) return 0;
            return ConsumeReady(handler, state, int.MaxValue);
        }
        finally
        {
            EndConsumer();
        }
    }

    private static void InvokeHandler(ReadOnlySpan<byte> record, RingBufferRecordHandler handler) => handler(record);

    /// <summary>
    /// The consumer protocol: read producer_pos (acquire), walk records from consumer_pos, read each header (acquire,
    /// pairs with the kernel's release on submit), stop at a busy record, and publish consumer_pos (release) after
    /// each record so the producer can reuse the space as early as possible. Caller holds the consumer role.
    /// </summary>
    private int ConsumeReady<TState>(ReadOnlySpanAction<byte, TState> handler, TState state, int maxRecords)
    {
        ulong* consumerPosition = _mapping.ConsumerPosition;
        ulong* producerPosition = _mapping.ProducerPosition;
        byte* data = _mapping.Data;
        // Only this reader writes consumer_pos, so a plain read of our own last store is enough.
        ulong consumer = *consumerPosition;
        ulong published = consumer;
        int handled = 0;
        try
        {
            while (handled < maxRecords)
            {
                ulong producer = Volatile.Read(ref *producerPosition);
                if (consumer == producer) break;
                while (consumer < producer && handled < maxRecords)
                {
                    byte* record = data + (consumer & _mask);
                    uint header = Volatile.Read(ref *(uint*)record);
                    if ((header & RingBufferHeader.BusyBit) != 0) return handled;
                    uint length = RingBufferHeader.Length(header);
                    ulong start = consumer;
                    consumer += RingBufferHeader.Footprint(length);
                    if ((header & RingBufferHeader.DiscardBit) == 0)
                    {
                        handled++;
                        // The data is mapped twice in a row, so a record that wraps is still one contiguous span.
                        handler(new ReadOnlySpan<byte>(data + (start & _mask) + RingBufferHeader.Size, (int)length), state);
                    }
                    Volatile.Write(ref *consumerPosition, consumer);
                    published = consumer;
                }
            }
            return handled;
        }
        finally
        {
            // Only differs when the handler threw: that record is consumed too.
            if (published != consumer) Volatile.Write(ref *consumerPosition, consumer);
        }
    }

    /// <summary>
    /// Blocks in epoll until the ring has data, the reader is disposed, <paramref name="cancellation"/> is cancelled
    /// or the time runs out. Caller holds the consumer role (and with it a reference on the mapping).
    /// </summary>
    /// <returns>True when the ring reported data; false otherwise.</returns>
    private bool WaitForData(int timeoutMs, CancellationToken cancellation)
    {
        const int MaxEvents = 2;
        EpollEvent* events = stackalloc EpollEvent[MaxEvents];
        long deadline = timeoutMs < 0 ? long.MaxValue : Stopwatch.GetTimestamp() + timeoutMs * Stopwatch.Frequency / 1000;
        int remaining = timeoutMs;
        while (Volatile.Read(ref _disposed) == 0 && !cancellation.IsCancellationRequested)
        {
            int count = Libc.EpollWait(_mapping.EpollFd, events, MaxEvents, remaining);
            if (count < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Libc.EINTR)
                    throw new BpfException("epoll_wait", errno, $"ring buffer '{Map.Name}': epoll_wait failed: {ErrnoNames.Name(errno)}");
            }
            bool ringReady = false;
            for (int i = 0; i < count; i++)
            {
                if (events[i].Data == RingBufferMapping.WakeToken) _mapping.DrainWake();
                else ringReady = true;
            }
            if (ringReady) return Volatile.Read(ref _disposed) == 0;
            if (count == 0) return false;
            // Woken by the eventfd (disposal, cancellation, or a stale signal from an earlier cancellation) or
            // interrupted: the loop condition decides; otherwise wait out the rest of the time.
            if (timeoutMs >= 0)
            {
                long left = (deadline - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
                if (left <= 0) return false;
                remaining = (int)left;
            }
        }
        return false;
    }

    /// <summary>Takes the single consumer role and a reference on the mapping.</summary>
    private void BeginConsumer()
    {
        if (!TryBeginConsumer()) throw new ObjectDisposedException(nameof(BpfRingBuffer));
    }

    /// <summary>Like <see cref="BeginConsumer"/>, but false instead of throwing when the reader is disposed.</summary>
    private bool TryBeginConsumer()
    {
        if (!TryEnter()) return false;
        if (Interlocked.Exchange(ref _consumerActive, 1) != 0)
        {
            _mapping.DangerousRelease();
            throw new InvalidOperationException(
                $"ring buffer '{Map.Name}' is already being consumed on another thread; a ring has one consumer");
        }
        return true;
    }

    private void EndConsumer()
    {
        Volatile.Write(ref _consumerActive, 0);
        _mapping.DangerousRelease();
    }

    /// <summary>Adds a reference on the mapping unless the reader is disposed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryEnter()
    {
        if (Volatile.Read(ref _disposed) != 0) return false;
        bool added = false;
        try
        {
            _mapping.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        return added;
    }

    /// <summary>Wakes a thread blocked in a wait on this ring; harmless when none is.</summary>
    private void Wake()
    {
        if (!TryEnter()) return;
        try
        {
            _mapping.SignalWake();
        }
        finally
        {
            _mapping.DangerousRelease();
        }
    }

    /// <summary>
    /// Wakes any blocked Poll or ReadAllAsync (which then return or end) and unmaps the ring once no call is using it.
    /// Safe to call from any thread, more than once.
    /// </summary>
    public void Dispose()
    {
        // Mark first so no new wait starts, then wake the one that may be blocked; the reference this object
        // holds keeps the eventfd open until _mapping.Dispose, which frees everything once in-flight calls leave.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _mapping.SignalWake();
        _mapping.Dispose();
    }
}
