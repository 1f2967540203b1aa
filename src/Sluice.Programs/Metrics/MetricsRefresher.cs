namespace Sluice.Programs.Metrics;

/// <summary>
/// Keeps the latest metrics text: collects once on <see cref="Start"/>, then every interval on a thread of its own, so
/// scrapes read a cached string and never walk an application's maps themselves, however many come in.
/// </summary>
/// <remarks>
/// A collection that fails makes <see cref="Current"/> throw <see cref="MetricsUnavailableException"/> (a scrape gets
/// 503, not numbers from before the failure) until one succeeds again; each new kind of failure is logged once, as one
/// line. The loop survives any exception of the collector.
/// </remarks>
public sealed class MetricsRefresher : IDisposable
{
    private readonly Func<string> _collect;
    private readonly Action<string>? _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _collecting = new();
    private Snapshot? _snapshot;
    private string? _lastLoggedError;
    private Thread? _thread;
    private int _disposed;
    private long _collections;

    /// <summary>Creates a refresher; nothing is collected until <see cref="Start"/>.</summary>
    /// <param name="collect">Reads the application's state and formats it (called from one thread at a time).</param>
    /// <param name="interval">Time between collections.</param>
    /// <param name="log">Receives one line per new kind of failure and one when collecting works again.</param>
    public MetricsRefresher(Func<string> collect, TimeSpan interval, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(collect);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _collect = collect;
        Interval = interval;
        _log = log;
    }

    /// <summary>Time between collections.</summary>
    public TimeSpan Interval { get; }

    /// <summary>When the latest collection ended, successful or not (null before the first).</summary>
    public DateTimeOffset? CollectedAt => Volatile.Read(ref _snapshot)?.At;

    /// <summary>How many collections ran (successful or not).</summary>
    public long Collections => Interlocked.Read(ref _collections);

    /// <summary>The latest collected text; thread-safe and cheap.</summary>
    /// <exception cref="MetricsUnavailableException">The latest collection failed (the message says why), or none ran yet.</exception>
    public string Current
    {
        get
        {
            var snapshot = Volatile.Read(ref _snapshot) ?? throw new MetricsUnavailableException("not collected yet");
            return snapshot.Error is null ? snapshot.Text! : throw new MetricsUnavailableException(snapshot.Error);
        }
    }

    /// <summary>
    /// Collects once on the calling thread, then starts the interval loop. A failure of this first collection is thrown
    /// (so a caller can refuse to start for a target that does not exist); later failures are kept and logged.
    /// </summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_thread is not null) throw new InvalidOperationException("already started");
        lock (_collecting)
        {
            Interlocked.Increment(ref _collections);
            Volatile.Write(ref _snapshot, new Snapshot(_collect(), null, DateTimeOffset.UtcNow));
        }
        // A thread, not a timer on the thread pool: collecting makes blocking syscalls, and a busy pool must not
        // delay it (nor it the pool's socket work).
        _thread = new Thread(Loop) { IsBackground = true, Name = "metrics refresher" };
        _thread.Start();
    }

    /// <summary>Collects now (on the calling thread) instead of waiting for the interval; failures are kept, not thrown.</summary>
    public void Refresh()
    {
        lock (_collecting)
        {
            Interlocked.Increment(ref _collections);
            Snapshot next;
            try
            {
                next = new Snapshot(_collect(), null, DateTimeOffset.UtcNow);
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                // The application's own message ("no guard on eth0"): a scrape's 503 body and the log line carry it.
                string reason = error.Message;
                Volatile.Write(ref _snapshot, new Snapshot(null, reason, DateTimeOffset.UtcNow));
                if (reason != _lastLoggedError) Log($"collecting metrics failed: {reason}");
                _lastLoggedError = reason;
                return;
            }
            Volatile.Write(ref _snapshot, next);
            if (_lastLoggedError is not null) Log("collecting metrics works again");
            _lastLoggedError = null;
        }
    }

    private void Loop()
    {
        var token = _stop.Token;
        while (!token.WaitHandle.WaitOne(Interval)) Refresh();
    }

    private void Log(string line)
    {
        try
        {
            _log?.Invoke(line);
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException)
        {
            // A closed log must not stop collecting.
        }
    }

    /// <summary>Stops the loop (waiting for a collection in progress to end).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _thread?.Join();
        _stop.Dispose();
    }

    private sealed record Snapshot(string? Text, string? Error, DateTimeOffset At);
}
