using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Sluice.Programs.Metrics;

namespace Sluice.Cli.Infrastructure;

/// <summary>
/// The --metrics and --interval options of every `serve` verb, and the serving itself: a <see cref="MetricsRefresher"/>
/// over the application's collector behind a <see cref="MetricsServer"/>, until cancelled. Loopback by default; a
/// wildcard address gets a warning on stderr.
/// </summary>
internal sealed class MetricsServeOptions
{
    /// <summary>The address served when --metrics is not given (9469: the guard's default port).</summary>
    internal static readonly IPEndPoint DefaultEndpoint = new(IPAddress.Loopback, 9469);

    internal Option<string?> Metrics { get; } = new("--metrics")
    {
        Description = "Listen address for GET /metrics: ADDRESS:PORT or PORT (loopback), default 127.0.0.1:9469; 0.0.0.0 or [::] expose the counters to other hosts",
    };

    internal Option<double> Interval { get; } = new("--interval")
    {
        Description = "Seconds between reads of the maps; scrapes get the latest read",
        DefaultValueFactory = _ => 5,
    };

    internal void AddTo(Command command)
    {
        command.Options.Add(Metrics);
        command.Options.Add(Interval);
    }

    /// <summary>
    /// Reads once (a failure, e.g. nothing attached, ends the command), then serves <paramref name="collect"/>'s text
    /// refreshed every --interval until <paramref name="cancellation"/>; prints the URL first and problems on stderr.
    /// </summary>
    internal int Serve(ParseResult result, Func<string> collect, string what, CancellationToken cancellation)
    {
        var endpoint = ParseEndpoint(result.GetValue(Metrics));
        double seconds = result.GetValue(Interval);
        if (!(seconds is > 0 and <= 86400)) throw new CliError($"--interval: {seconds.ToString(CultureInfo.InvariantCulture)} is not a number of seconds in (0, 86400]");
        Action<string> log = line => Console.Error.WriteLine(line);
        using var refresher = new MetricsRefresher(collect, TimeSpan.FromSeconds(seconds), log);
        refresher.Start();
        MetricsServer server;
        try
        {
            server = MetricsServer.Start(endpoint, () => refresher.Current, new MetricsServerOptions { Log = log });
        }
        catch (SocketException error)
        {
            throw new CliError($"cannot listen on {endpoint}: {SystemErrorText.Sentence(error)}");
        }
        using (server)
        {
            if (MetricsServer.IsWildcard(endpoint.Address))
                Console.Error.WriteLine($"warning: {server.LocalEndpoint} listens on every interface: the counters of {what} are readable from other hosts");
            Console.Out.WriteLine($"serving metrics of {what} at http://{server.LocalEndpoint}/metrics (Ctrl+C to stop)");
            Console.Out.Flush();
            cancellation.WaitHandle.WaitOne();
        }
        return 0;
    }

    /// <summary>ADDRESS:PORT, [V6]:PORT, or a bare PORT (on loopback); null gives <see cref="DefaultEndpoint"/>.</summary>
    internal static IPEndPoint ParseEndpoint(string? text)
    {
        if (text is null) return DefaultEndpoint;
        if (ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ushort port)) return new IPEndPoint(IPAddress.Loopback, port);
        // An IPv6 address needs its brackets: "::1" alone would otherwise be read as ::1 port 0.
        if (!IPEndPoint.TryParse(text, out var endpoint) || !text.Contains(':', StringComparison.Ordinal) || text.EndsWith(']')
            || (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && !text.StartsWith('[')))
            throw new CliError($"--metrics: '{text}' is not ADDRESS:PORT or PORT (e.g. 127.0.0.1:9469, [::1]:9469 or 9469)");
        return endpoint;
    }
}
