using Xunit;
using static Sluice.Lab.VethNamespaces;

namespace Sluice.Bpf.Tests.Links;

/// <summary>
/// Sends a paced stream from both sources (every fourth packet from the dropped one) while <c>replace</c> swaps
/// program a for program b midway; the receiver drains concurrently so its buffer never overflows.
/// </summary>
internal sealed record SteadyStream(int Passed, int Dropped, int Received)
{
    private const int Packets = 2400;

    internal static SteadyStream Run(UdpTraffic traffic, DropList drop, Action replace)
    {
        int passed = 0, dropped = 0;
        var receiving = Task.Run(() => traffic.Receive(Packets * 3 / 4));
        var sending = Task.Run(() =>
        {
            for (int i = 0; i < Packets; i += 4)
            {
                traffic.Send(SenderSecondAddress, 1);
                traffic.Send(SenderAddress, 3);
                dropped += 1;
                passed += 3;
                if (i % 32 == 0) Thread.Sleep(1);
            }
        });
        // Replace once program a has demonstrably handled part of the stream, while the rest is still to come.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (drop.Counts(0).Passed < Packets / 4 && DateTime.UtcNow < deadline && !sending.IsCompleted) Thread.Sleep(1);
        replace();
        sending.GetAwaiter().GetResult();
        var received = receiving.GetAwaiter().GetResult();
        return new SteadyStream(passed, dropped, received.GetValueOrDefault(SenderAddress) + received.GetValueOrDefault(SenderSecondAddress));
    }

    internal void AssertEveryPacketHandledByExactlyOneProgram(DropList drop)
    {
        var a = drop.Counts(0);
        var b = drop.Counts(1);
        Assert.True(a.Passed > 0 && b.Passed > 0, $"the replacement did not happen mid-stream: a={a}, b={b}");
        Assert.Equal((ulong)(Passed + Dropped), drop.Total);
        Assert.Equal((ulong)Passed, a.Passed + b.Passed);
        Assert.Equal((ulong)Dropped, a.Dropped + b.Dropped);
        Assert.Equal(Passed, Received);
    }
}
