using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>
/// <c>sluice guard serve --metrics ADDRESS:PORT</c>: the guard's counters in Prometheus text format on GET /metrics,
/// read from the pinned maps at each scrape. A minimal HTTP/1.1 responder (one request per connection); Ctrl+C stops.
/// </summary>
internal static class GuardServeCommand
{
    internal static Command Create()
    {
        var metrics = new Option<string>("--metrics") { Description = "Listen address for GET /metrics, e.g. 127.0.0.1:9469 (port 0 picks a free one)", Required = true };
        var target = new GuardTargetOptions();
        var command = new Command("serve", "Serve the guard's counters to Prometheus (text format on /metrics) until Ctrl+C") { metrics };
        target.AddTo(command);
        command.SetAction(result => GuardRunner.RunCancellable(cancellation =>
        {
            var endpoint = ParseEndpoint(result.GetValue(metrics)!);
            var guard = target.Resolve(result);
            using var controller = GuardController.Open(guard);
            var listener = new TcpListener(endpoint);
            try
            {
                listener.Start();
            }
            catch (SocketException error)
            {
                throw new CliError($"cannot listen on {endpoint}: {SystemErrorText.Sentence(error)}");
            }
            try
            {
                Console.Out.WriteLine($"serving metrics of the guard on {guard.Describe()} at http://{listener.LocalEndpoint}/metrics (Ctrl+C to stop)");
                Console.Out.Flush();
                // The controller's own exposition: every family, blocked sources included.
                var server = new MetricsResponder(controller.FormatMetrics);
                server.Serve(listener, cancellation);
            }
            finally
            {
                listener.Stop();
            }
            return 0;
        }));
        return command;
    }

    internal static IPEndPoint ParseEndpoint(string text)
    {
        if (!IPEndPoint.TryParse(text, out var endpoint) || !text.Contains(':', StringComparison.Ordinal) || text.EndsWith(']'))
            throw new CliError($"--metrics: '{text}' is not ADDRESS:PORT (e.g. 127.0.0.1:9469 or [::1]:9469)");
        return endpoint;
    }
}

/// <summary>
/// Answers HTTP/1.1 requests on a listener one connection at a time: GET (or HEAD) /metrics gets the text the callback
/// makes, other paths 404, other methods 405, a bad request 400. Each response closes its connection.
/// </summary>
internal sealed class MetricsResponder(Func<string> metrics)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    internal void Serve(TcpListener listener, CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested)
        {
            Socket client;
            try
            {
                var accept = listener.AcceptSocketAsync(cancellation).AsTask();
                accept.Wait(cancellation);
                client = accept.Result;
            }
            catch (Exception error) when (error is OperationCanceledException || cancellation.IsCancellationRequested)
            {
                // Ctrl+C: Wait throws OperationCanceledException, or AggregateException when the accept itself was cancelled first.
                return;
            }
            using (client)
            {
                try
                {
                    Respond(client);
                }
                catch (Exception error) when (error is SocketException or IOException or TimeoutException)
                {
                    // A client that goes away or stalls costs its own connection only.
                }
            }
        }
    }

    private void Respond(Socket client)
    {
        client.ReceiveTimeout = (int)RequestTimeout.TotalMilliseconds;
        client.SendTimeout = (int)RequestTimeout.TotalMilliseconds;
        string? requestLine = ReadHead(client);
        if (requestLine is null)
        {
            Send(client, 400, "Bad Request", "text/plain; charset=utf-8", "bad request\n", body: true);
            return;
        }
        var parts = requestLine.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            Send(client, 400, "Bad Request", "text/plain; charset=utf-8", "bad request\n", body: true);
            return;
        }
        string method = parts[0], path = parts[1];
        int query = path.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0) path = path[..query];
        if (method is not ("GET" or "HEAD"))
        {
            Send(client, 405, "Method Not Allowed", "text/plain; charset=utf-8", "only GET\n", body: true, allow: true);
            return;
        }
        if (path != "/metrics")
        {
            Send(client, 404, "Not Found", "text/plain; charset=utf-8", "not found; metrics are at /metrics\n", body: method == "GET");
            return;
        }
        string text;
        try
        {
            text = metrics();
        }
        catch (Exception error) when (error is GuardException or Bpf.BpfException or IOException)
        {
            Send(client, 503, "Service Unavailable", "text/plain; charset=utf-8", $"cannot read the guard: {SystemErrorText.Sentence(error)}\n", body: method == "GET");
            return;
        }
        Send(client, 200, "OK", GuardMetrics.ContentType, text, body: method == "GET");
    }

    /// <summary>Reads up to the blank line ending the headers (at most 16 KiB); returns the request line, or null.</summary>
    private static string? ReadHead(Socket client)
    {
        var head = new List<byte>(512);
        var buffer = new byte[1024];
        var deadline = DateTime.UtcNow + RequestTimeout;
        while (head.Count < 16 * 1024 && DateTime.UtcNow < deadline)
        {
            int read = client.Receive(buffer);
            if (read == 0) break;
            head.AddRange(buffer.AsSpan(0, read));
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(head);
            if (span.IndexOf("\r\n\r\n"u8) >= 0 || span.IndexOf("\n\n"u8) >= 0) break;
        }
        var all = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(head);
        int end = all.IndexOf((byte)'\n');
        if (end < 0) return null;
        return Encoding.ASCII.GetString(all[..end]).TrimEnd('\r');
    }

    private static void Send(Socket client, int status, string reason, string contentType, string text, bool body, bool allow = false)
    {
        byte[] content = Encoding.UTF8.GetBytes(text);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {reason}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {content.Length}\r\n")
            .Append(allow ? "Allow: GET, HEAD\r\n" : "")
            .Append("Connection: close\r\n\r\n");
        client.Send(Encoding.ASCII.GetBytes(head.ToString()));
        if (body) client.Send(content);
        client.Shutdown(SocketShutdown.Send);
    }
}
