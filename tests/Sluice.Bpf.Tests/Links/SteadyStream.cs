using Sluice.Tests;
using Xunit;
using static Sluice.Lab.VethNamespaces;

namespace Sluice.Bpf.Tests.Links;

/// <summary>
/// Sends a stream from both sources (every fourth packet from the dropped one) while <c>replace</c> swaps program a
/// for program b; the receiver drains concurrently so its buffer never overflows. Ordered by events, not by timing:
/// the swap starts once program a has handled part of the stream, the stream keeps flowing during the swap, and a
/// fixed number of packets follows after it returned, so both programs see traffic however the threads are scheduled.
/// </summary>
internal sealed record SteadyStream(int Passed, int Dropped, int Received)
{
    private const int BeforeReplace = 400;
    private const int AfterReplace = 800;
    private const int Limit = 200_000;

    internal static SteadyStream Run(UdpTraffic traffic, DropList drop, Action replace)
    {
        int passed = 0, dropped = 0;
        int expected = int.MaxValue; // known once the sender is done
        using var replaced = new ManualResetEventSlim();
        var receiving = Task.Run(() => traffic.Receive(() => Volatile.Read(ref expected)));
        var sending = Task.Run(() =>
        {
            for (int afterReplace = 0; afterReplace < AfterReplace; )
            {
                if (passed + dropped >= Limit) throw new InvalidOperationException($"no replacement after {Limit} packets");
                bool swapped = replaced.IsSet;
                traffic.Send(SenderSecondAddress, 1);
                traffic.Send(SenderAddress, 3);
                dropped += 1;
                passed += 3;
                if (swapped) afterReplace += 4;
                if ((passed + dropped) % 32 == 0) Thread.Sleep(1); // short bursts never fill veth's ring
            }
            Volatile.Write(ref expected, passed);
        });
        bool handledSome = Wait.Until(() => drop.Counts(0).Passed >= BeforeReplace * 3 / 4 || sending.IsCompleted);
        if (!sending.IsCompleted) replace();
        replaced.Set();
        sending.GetAwaiter().GetResult();
        Assert.True(handledSome, "program a never handled the start of the stream");
        var received = receiving.GetAwaiter().GetResult();
        return new SteadyStream(passed, dropped, received.GetValueOrDefault(SenderAddress) + received.GetValueOrDefault(SenderSecondAddress));
    }

    internal void AssertEveryPacketHandledByExactlyOneProgram(DropList drop)
    {
        var a = drop.Counts(0);
        var b = drop.Counts(1);
        Assert.True(a.Passed > 0 && b.Passed > 0, $"the replacement did not happen mid-stream: a={a}, b={b}");
        // Everything sent after the replacement returned went to b.
        Assert.True(b.Passed + b.Dropped >= AfterReplace, $"program b handled only {b.Passed + b.Dropped} packets, {AfterReplace} followed the swap");
        Assert.Equal((ulong)(Passed + Dropped), drop.Total);
        Assert.Equal((ulong)Passed, a.Passed + b.Passed);
        Assert.Equal((ulong)Dropped, a.Dropped + b.Dropped);
        Assert.Equal(Passed, Received);
    }
}
