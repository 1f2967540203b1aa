using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

public sealed partial class BpfProgram
{
    /// <summary>Most frames the kernel runs between two flushes in live-frames mode (TEST_XDP_MAX_BATCH).</summary>
    public const int MaxLiveFramesBatch = 256;

    /// <summary>
    /// Runs this XDP program <paramref name="count"/> times on copies of <paramref name="frame"/> in live-frames mode
    /// (BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES, Linux 5.18): frames the program returns XDP_TX or XDP_REDIRECT for
    /// are really transmitted, as if they had arrived on <paramref name="ingressInterfaceIndex"/>. This is the kernel's
    /// packet-generation fast path (what xdp-trafficgen uses). Must be called from a thread in the network namespace
    /// of that interface. Allocates nothing.
    /// </summary>
    /// <remarks>
    /// The kernel initialises each page of its frame pool from <paramref name="frame"/> once and recycles pages without
    /// copying again, so a program that rewrites a frame must write absolute values, never adjust what it finds.
    /// Frames are flushed every <paramref name="batchSize"/> runs, so a receiver's ring sees at most that many at once.
    /// </remarks>
    /// <param name="frame">The Ethernet frame (at least 14 bytes, at most a page minus headroom).</param>
    /// <param name="count">Program runs, hence frames, in this call.</param>
    /// <param name="ingressInterfaceIndex">The device the frames appear to come from (0: the namespace's loopback); XDP_TX sends out of it.</param>
    /// <param name="batchSize">Frames per flush, 1 to <see cref="MaxLiveFramesBatch"/>; 0 takes the kernel's default (64).</param>
    /// <returns>
    /// True when all <paramref name="count"/> runs happened; false when a signal interrupted the call after an unknown
    /// number of them (a program that must know counts its own runs, and the caller sends the rest).
    /// </returns>
    /// <exception cref="BpfException">The kernel refused: EINVAL on kernels before 5.18 or for a bad frame, ENODEV for an unknown ingress index.</exception>
    public unsafe bool RunLiveFrames(ReadOnlySpan<byte> frame, int count, int ingressInterfaceIndex = 0, int batchSize = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegative(ingressInterfaceIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(batchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, MaxLiveFramesBatch);
        var context = XdpContext.ForPacket(frame.Length);
        context.IngressIfindex = (uint)ingressInterfaceIndex;
        fixed (byte* data = frame)
        {
            var attr = new ProgTestRunAttr
            {
                ProgFd = (uint)Fd.Value,
                DataIn = (ulong)data,
                DataSizeIn = (uint)frame.Length,
                CtxIn = (ulong)&context,
                CtxSizeIn = (uint)sizeof(XdpContext),
                Repeat = (uint)count,
                Flags = (uint)TestRunFlags.XdpLiveFrames,
                BatchSize = (uint)batchSize,
            };
            if (BpfSyscall.TryInvokeOnce(BpfCommand.ProgTestRun, ref attr, out int errno) >= 0) return true;
            if (errno == Libc.EINTR) return false;
            throw TestRunFailure(errno);
        }
    }
}
