namespace Sluice.Bpf.Tests.RingBuffers;

/// <summary>
/// A dedicated thread for a producer or a blocking Poll: the ring buffer tests need real concurrency, not a pool
/// task that might run inline, and Join rethrows what the thread threw.
/// </summary>
internal sealed class BackgroundThread<T>
{
    private readonly Thread _thread;
    private T? _result;
    private Exception? _error;

    private BackgroundThread(Func<T> work)
    {
        _thread = new Thread(() =>
        {
            try
            {
                _result = work();
            }
            catch (Exception error)
            {
                _error = error;
            }
        }) { IsBackground = true };
        _thread.Start();
    }

    public static BackgroundThread<T> Start(Func<T> work) => new(work);

    public bool IsRunning => _thread.IsAlive;

    /// <summary>Waits for the thread; returns its result or rethrows its exception; throws on timeout.</summary>
    public T Join(TimeSpan timeout)
    {
        if (!_thread.Join(timeout)) throw new TimeoutException($"background thread still running after {timeout}");
        if (_error is not null) throw new InvalidOperationException("background thread failed", _error);
        return _result!;
    }
}
