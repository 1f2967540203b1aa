using Sluice.Bpf;

namespace Sluice.Programs.Guard;

/// <summary>Reads sampled drops from the guard's ring buffer (guard_events). One reader at a time per guard.</summary>
public sealed class GuardEventReader : IDisposable
{
    private readonly BpfMap _map;
    private readonly BpfRingBuffer _ring;

    internal GuardEventReader(BpfMap eventsMap)
    {
        _map = eventsMap;
        try
        {
            _ring = new BpfRingBuffer(eventsMap);
        }
        catch
        {
            eventsMap.Dispose();
            throw;
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for events and returns those available (possibly none).</summary>
    public IReadOnlyList<GuardEvent> Read(TimeSpan timeout)
    {
        var events = new List<GuardEvent>();
        _ring.Poll(static (record, list) =>
        {
            if (GuardEventDecoder.TryDecode(record, out var decoded)) list.Add(decoded);
        }, events, (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue));
        return events;
    }

    /// <summary>Returns the events available now without waiting.</summary>
    public IReadOnlyList<GuardEvent> ReadAvailable() => Read(TimeSpan.Zero);

    /// <summary>Yields events as they come until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async IAsyncEnumerable<GuardEvent> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var record in _ring.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            if (GuardEventDecoder.TryDecode(record, out var decoded)) yield return decoded;
    }

    /// <summary>Closes the ring buffer mapping and the map.</summary>
    public void Dispose()
    {
        _ring.Dispose();
        _map.Dispose();
    }
}
