using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Tests;
using Xunit;
using static Sluice.Lab.Packets.PacketBuilder;

namespace Sluice.Programs.Tests.Guard.Xdp;

/// <summary>
/// Blocks live in guard_blocks, a plain hash nothing evicts: a block outlives its source's LRU entry, and a full
/// block map refuses the new block (counted as block_map_full, the packet still dropped) instead of displacing an
/// existing one; expired blocks are swept out when it is full. State is written directly; nothing sleeps.
/// </summary>
public sealed class GuardXdpBlockMapTests
{
    private const ulong Long = 1000UL * 1_000_000_000; // no test outlasts it
    private const int Capacity = 262_144; // GUARD_MAX_BLOCKS
    private static readonly IPAddress Source = IPAddress.Parse("198.18.3.3"), Server = IPAddress.Parse("198.18.0.2");

    private static GuardConfigValue BlockAfterOnePacket(GuardConfigValue config) =>
        config with { PpsIntervalNs = Long, PpsToleranceNs = 0, BlockNs = Long };

    [Fact]
    public void A_block_outlives_the_sources_evicted_entry()
    {
        Requires.Root();
        using var bed = new GuardProgramBed();
        bed.Configure(BlockAfterOnePacket);
        var frame = Udp4(Source, Server, 1, 53);
        Assert.Equal(GuardReason.Passed, bed.Run(frame).Reason);
        Assert.Equal(GuardReason.RateLimited, bed.Run(frame).Reason);
        Assert.Equal(bed.Source(Source)!.Value.BlockedUntilNs, bed.Block(Source));

        bed.EvictSource(Source);
        for (int i = 0; i < 3; i++)
        {
            var run = bed.Run(frame);
            Assert.Equal((XdpAction.Drop, GuardReason.Blocked), (run.XdpAction, run.Reason));
        }
        Assert.Null(bed.Source(Source)); // no entry is made for a blocked source

        // Once the block has expired it is deleted and the source starts afresh.
        using (var blocks = bed.Blocks()) blocks.Update(GuardProgramBed.SourceKey(Source), 1);
        Assert.Equal(GuardReason.Passed, bed.Run(frame).Reason);
        Assert.Null(bed.Block(Source));
    }

    [Fact]
    public void A_full_block_map_keeps_its_blocks_and_counts_the_block_it_could_not_store()
    {
        Requires.Root();
        using var bed = new GuardProgramBed();
        bed.Configure(BlockAfterOnePacket);
        ulong until = (ulong)System.Diagnostics.Stopwatch.GetTimestamp() + Long;
        Fill(bed, Capacity, until);
        var held = Address(7);

        var frame = Udp4(Source, Server, 1, 53);
        Assert.Equal(GuardReason.Passed, bed.Run(frame).Reason);
        var over = bed.Run(frame);
        Assert.Equal((XdpAction.Drop, GuardReason.BlockMapFull), (over.XdpAction, over.Reason));
        Assert.Null(bed.Block(Source));
        Assert.Equal(until, bed.Block(held));
        Assert.Equal(GuardReason.Blocked, bed.Run(Udp4(held, Server, 1, 53)).Reason);
        // The source's own entry still carries the block while it lives.
        Assert.Equal(GuardReason.Blocked, bed.Run(frame).Reason);
    }

    [Fact]
    public void Expired_blocks_are_swept_out_when_the_map_is_full()
    {
        Requires.Root();
        using var bed = new GuardProgramBed();
        bed.Configure(BlockAfterOnePacket);
        Fill(bed, Capacity, until: 1);
        var live = Address(7);
        ulong liveUntil = (ulong)System.Diagnostics.Stopwatch.GetTimestamp() + Long;
        using (var blocks = bed.Blocks()) blocks.Update(GuardProgramBed.SourceKey(live), liveUntil);

        var frame = Udp4(Source, Server, 1, 53);
        Assert.Equal(GuardReason.Passed, bed.Run(frame).Reason);
        Assert.Equal(GuardReason.RateLimited, bed.Run(frame).Reason);
        Assert.NotNull(bed.Block(Source));
        Assert.Equal(liveUntil, bed.Block(live));
        using (var blocks = bed.Blocks()) Assert.Equal(2, blocks.Keys.Count());
    }

    /// <summary>Sources 198.19.x.y (first <paramref name="count"/>), all blocked until <paramref name="until"/>.</summary>
    private static void Fill(GuardProgramBed bed, int count, ulong until)
    {
        var keys = new IPv6Bytes[count];
        var values = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            keys[i] = GuardProgramBed.SourceKey(Address(i));
            values[i] = until;
        }
        using var blocks = bed.Blocks();
        for (int done = 0; done < count;)
            done += blocks.UpdateBatch(keys.AsSpan(done, Math.Min(32768, count - done)), values.AsSpan(done, Math.Min(32768, count - done)));
    }

    /// <summary>198.19.0.0 + i for i below 65,536, then fd00:b::i (enough distinct sources for the whole map).</summary>
    private static IPAddress Address(int i)
    {
        if (i < 65536) return new IPAddress([198, 19, (byte)(i >> 8), (byte)i]);
        var bytes = new byte[16];
        bytes[0] = 0xfd;
        bytes[3] = 0x0b;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), i);
        return new IPAddress(bytes);
    }
}
