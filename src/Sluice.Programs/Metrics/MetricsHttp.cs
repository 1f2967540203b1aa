using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Sluice.Programs.Metrics;

/// <summary>The little HTTP/1.1 a scrape needs: read a request head, write one response and close.</summary>
internal static class MetricsHttp
{
    /// <summary>Request heads larger than this are refused (a scrape's is a few hundred bytes).</summary>
    private const int MaxHead = 16 * 1024;

    internal sealed record Request(string Method, string Path);

    internal sealed record Response(int Status, string Reason, string ContentType, string Body)
    {
        internal string? Allow { get; init; }

        internal static Response Text(int status, string reason, string body) => new(status, reason, "text/plain; charset=utf-8", body);
    }

    /// <summary>
    /// Reads up to the blank line ending the head; returns the method and path (query removed), or null for a request
    /// that is not HTTP/1.x, too large, or cut short.
    /// </summary>
    internal static async Task<Request?> ReadRequest(Socket client, CancellationToken cancellation)
    {
        var head = new byte[MaxHead];
        int length = 0;
        while (length < head.Length)
        {
            int read = await client.ReceiveAsync(head.AsMemory(length), SocketFlags.None, cancellation).ConfigureAwait(false);
            if (read == 0) break;
            length += read;
            var span = head.AsSpan(0, length);
            if (span.IndexOf("\r\n\r\n"u8) >= 0 || span.IndexOf("\n\n"u8) >= 0) return Parse(span);
        }
        return null;
    }

    private static Request? Parse(ReadOnlySpan<byte> head)
    {
        int end = head.IndexOf((byte)'\n');
        var parts = Encoding.ASCII.GetString(head[..end]).TrimEnd('\r').Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal)) return null;
        string path = parts[1];
        int query = path.IndexOf('?', StringComparison.Ordinal);
        return new Request(parts[0], query >= 0 ? path[..query] : path);
    }

    /// <summary>Writes the response (the head only for HEAD) and shuts the sending side.</summary>
    internal static async Task Send(Socket client, Response response, bool headOnly, CancellationToken cancellation)
    {
        byte[] body = Encoding.UTF8.GetBytes(response.Body);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {response.Status} {response.Reason}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Type: {response.ContentType}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n")
            .Append(response.Allow is null ? "" : $"Allow: {response.Allow}\r\n")
            .Append("Connection: close\r\n\r\n");
        await SendAll(client, Encoding.ASCII.GetBytes(head.ToString()), cancellation).ConfigureAwait(false);
        if (!headOnly) await SendAll(client, body, cancellation).ConfigureAwait(false);
        client.Shutdown(SocketShutdown.Send);
    }

    private static async Task SendAll(Socket client, ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        while (!data.IsEmpty)
        {
            int sent = await client.SendAsync(data, SocketFlags.None, cancellation).ConfigureAwait(false);
            data = data[sent..];
        }
    }
}
