using System.Net;

namespace Sluice.Lab.Traffic;

/// <summary>What a <see cref="SpoofedFlood"/> sends.</summary>
public enum FloodKind
{
    /// <summary>TCP SYNs (no ACK, no options) to the target port, each from a random source and source port.</summary>
    Syn,
    /// <summary>UDP datagrams of <see cref="FloodOptions.PayloadLength"/> zero bytes to the target port.</summary>
    Udp,
}

/// <summary>
/// A bounded flood: which packets, from which spoofed source range, to which target, and the limits that end it
/// (whichever of <see cref="MaxPackets"/> and <see cref="MaxDuration"/> comes first, or cancellation).
/// </summary>
public sealed record FloodOptions
{
    /// <summary>Creates options; every address must be a test address (see <see cref="TestAddresses"/>).</summary>
    /// <param name="kind">SYN or UDP.</param>
    /// <param name="sources">The range the spoofed source addresses are drawn from (uniformly, per packet).</param>
    /// <param name="target">The destination address and port; same address family as <paramref name="sources"/>.</param>
    /// <exception cref="ArgumentException">An address outside the test ranges, or mixed address families.</exception>
    public FloodOptions(FloodKind kind, IPNetwork sources, IPEndPoint target)
    {
        ArgumentNullException.ThrowIfNull(target);
        TestAddresses.Require(sources, nameof(sources));
        TestAddresses.Require(target.Address, nameof(target));
        if (sources.BaseAddress.AddressFamily != target.AddressFamily)
            throw new ArgumentException($"sources {sources} and target {target.Address} are different address families", nameof(target));
        Kind = kind;
        Sources = sources;
        Target = target;
    }

    /// <summary>SYN or UDP.</summary>
    public FloodKind Kind { get; }

    /// <summary>The spoofed source range.</summary>
    public IPNetwork Sources { get; }

    /// <summary>The destination.</summary>
    public IPEndPoint Target { get; }

    /// <summary>Stop after this many packets were handed to the kernel (default 10,000).</summary>
    public long MaxPackets { get; init; } = 10_000;

    /// <summary>Stop after this long even if fewer packets went out (default 5 s).</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Pace to this many packets per second; 0 sends as fast as the socket takes them. On veth, a receiver in native
    /// XDP mode queues at most 256 frames per ring and drops the rest before XDP sees them: pace when every packet
    /// must be accounted for.
    /// </summary>
    public int PacketsPerSecond { get; init; }

    /// <summary>UDP payload bytes (default 16; ignored for SYN floods).</summary>
    public int PayloadLength { get; init; } = 16;

    /// <summary>Seed for the source addresses and ports, for repeatable floods; null picks one.</summary>
    public int? Seed { get; init; }
}

/// <summary>What a flood did.</summary>
/// <param name="Kind">SYN or UDP.</param>
/// <param name="PacketsSent">Packets the kernel accepted from the raw socket (handed to the interface).</param>
/// <param name="SendErrors">Sends the kernel refused (e.g. ENOBUFS); those packets never left.</param>
/// <param name="Elapsed">Wall time from the first send to the last.</param>
public sealed record FloodResult(FloodKind Kind, long PacketsSent, long SendErrors, TimeSpan Elapsed)
{
    /// <summary>Packets per second actually sent.</summary>
    public double PacketsPerSecond => Elapsed > TimeSpan.Zero ? PacketsSent / Elapsed.TotalSeconds : 0;
}
