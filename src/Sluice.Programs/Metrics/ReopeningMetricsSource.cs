namespace Sluice.Programs.Metrics;

/// <summary>
/// Formats metrics from an application's opened state (a controller over pinned maps) and opens it again when it was
/// replaced: an application detached and attached again has new maps at the same pins, while the fds opened before
/// still read the old ones. Give <see cref="Collect"/> to a <see cref="MetricsRefresher"/>.
/// </summary>
/// <typeparam name="T">The opened state, e.g. a controller; disposed when replaced and with this source.</typeparam>
/// <param name="open">Opens the state; throws when the application is not attached (the scrape then gets 503).</param>
/// <param name="isCurrent">False once the opened state no longer is what the pins hold (removed, or replaced).</param>
/// <param name="format">Reads the state and formats it.</param>
public sealed class ReopeningMetricsSource<T>(Func<T> open, Func<T, bool> isCurrent, Func<T, string> format) : IDisposable
    where T : class, IDisposable
{
    private readonly object _gate = new();
    private T? _state;

    /// <summary>How many times the state was opened (1 after the first collection; one more per replacement).</summary>
    public int Opened { get; private set; }

    /// <summary>Opens the state if it is not open or no longer current, then formats it. Thread-safe.</summary>
    /// <remarks>A format that throws closes the state, so the next collection starts from the pins again.</remarks>
    public string Collect()
    {
        lock (_gate)
        {
            if (_state is not null && !isCurrent(_state)) Close();
            if (_state is null)
            {
                _state = open();
                Opened++;
            }
            try
            {
                return format(_state);
            }
            catch
            {
                Close();
                throw;
            }
        }
    }

    private void Close()
    {
        _state?.Dispose();
        _state = null;
    }

    /// <summary>Closes the opened state.</summary>
    public void Dispose()
    {
        lock (_gate) Close();
    }
}
