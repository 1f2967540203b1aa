using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace Sluice.Bpf;

/// <summary>The state of a TCP socket as /proc/net/tcp numbers it (include/net/tcp_states.h).</summary>
public enum TcpSocketState : byte
{
    /// <summary>TCP_ESTABLISHED.</summary>
    Established = 1,

    /// <summary>TCP_LISTEN.</summary>
    Listen = 10,
}

/// <summary>One row of /proc/net/tcp or /proc/net/tcp6.</summary>
/// <param name="Local">The local address and port.</param>
/// <param name="Remote">The peer's address and port (0.0.0.0:0 or [::]:0 for a listener).</param>
/// <param name="State">The TCP state; values other than the named ones are kept as numbers.</param>
/// <param name="Inode">The socket's inode: /proc/PID/fd/N of the owning processes links to socket:[Inode].</param>
public readonly record struct TcpSocketEntry(IPEndPoint Local, IPEndPoint Remote, TcpSocketState State, ulong Inode);

/// <summary>The TCP sockets of a network namespace, as /proc/net/tcp and /proc/net/tcp6 list them (what <c>ss -t</c> reads).</summary>
public static class TcpSocketTable
{
    /// <summary>
    /// The IPv4 and IPv6 TCP sockets of <paramref name="netns"/> (null: the calling thread's namespace). Read from
    /// /proc/thread-self/net inside the namespace: /proc/net would show the process's namespace whatever the thread's.
    /// </summary>
    /// <exception cref="NetworkNamespaceException">Entering <paramref name="netns"/> failed (it needs CAP_SYS_ADMIN).</exception>
    public static IReadOnlyList<TcpSocketEntry> Read(NetworkNamespace? netns = null) => netns is null ? ReadHere() : netns.Run(ReadHere);

    private static List<TcpSocketEntry> ReadHere()
    {
        var entries = new List<TcpSocketEntry>();
        foreach (string file in new[] { "/proc/thread-self/net/tcp", "/proc/thread-self/net/tcp6" })
        {
            // No IPv6 in this kernel (or namespace): no tcp6 file.
            if (File.Exists(file)) entries.AddRange(Parse(File.ReadAllText(file)));
        }
        return entries;
    }

    /// <summary>
    /// Parses the text of /proc/net/tcp or /proc/net/tcp6 (the header line and lines it cannot read are skipped).
    /// Addresses are hex in the kernel's byte order per 32-bit word; ports are hex in host order.
    /// </summary>
    public static IEnumerable<TcpSocketEntry> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (string line in text.Split('\n'))
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10 || !fields[0].EndsWith(':')) continue;
            if (TryEndpoint(fields[1], out var local) && TryEndpoint(fields[2], out var remote)
                && byte.TryParse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte state)
                && ulong.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode))
                yield return new TcpSocketEntry(local, remote, (TcpSocketState)state, inode);
        }
    }

    private static bool TryEndpoint(string text, out IPEndPoint endpoint)
    {
        endpoint = null!;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon is not (8 or 32) || !ushort.TryParse(text.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ushort port))
            return false;
        Span<byte> bytes = stackalloc byte[16];
        int words = colon / 8;
        for (int i = 0; i < words; i++)
        {
            // The kernel prints each 32-bit word of the network-order address as a host-order number.
            if (!uint.TryParse(text.AsSpan(i * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint word)) return false;
            if (BitConverter.IsLittleEndian) word = BinaryPrimitives.ReverseEndianness(word);
            BinaryPrimitives.WriteUInt32BigEndian(bytes[(i * 4)..], word);
        }
        endpoint = new IPEndPoint(new IPAddress(bytes[..(words * 4)]), port);
        return true;
    }
}
