using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

public sealed partial class BpfProgram
{
    private const int ENOTSUPP = 524;

    /// <summary>
    /// Runs the program in the kernel on <paramref name="data"/> (BPF_PROG_TEST_RUN; XDP and TC: Linux 4.12) and
    /// copies the resulting packet into <paramref name="dataOut"/> when it is not empty. Allocates nothing.
    /// </summary>
    /// <param name="data">The packet; XDP and TC want at least an Ethernet header (14 bytes).</param>
    /// <param name="dataOut">Where to copy the packet after the run; a short buffer sets <see cref="TestRunResult.DataOutTruncated"/>.</param>
    /// <param name="repeat">Runs to average <see cref="TestRunResult.DurationNanoseconds"/> over (0 counts as 1).</param>
    /// <exception cref="BpfException">The kernel refused (EINVAL for too short a packet, ENOTSUPP for a type without test runs).</exception>
    public TestRunResult TestRun(ReadOnlySpan<byte> data, Span<byte> dataOut = default, int repeat = 1) =>
        TestRun(data, dataOut, ReadOnlySpan<byte>.Empty, Span<byte>.Empty, repeat);

    /// <summary>
    /// Runs a TC / socket-filter / cgroup-skb program with an <c>__sk_buff</c> context (Linux 5.2): the settable
    /// fields of <paramref name="context"/> go in, and it is overwritten with the context after the run.
    /// </summary>
    public TestRunResult TestRun(ReadOnlySpan<byte> data, ref SkBuffContext context, Span<byte> dataOut = default, int repeat = 1)
    {
        var bytes = MemoryMarshal.AsBytes(new Span<SkBuffContext>(ref context));
        return TestRun(data, dataOut, bytes, bytes, repeat);
    }

    /// <summary>
    /// Runs an XDP program with an <c>xdp_md</c> context (Linux 5.14; see <see cref="XdpContext"/> for what the
    /// kernel accepts); <paramref name="context"/> is overwritten with the context after the run.
    /// </summary>
    public TestRunResult TestRun(ReadOnlySpan<byte> data, ref XdpContext context, Span<byte> dataOut = default, int repeat = 1)
    {
        var bytes = MemoryMarshal.AsBytes(new Span<XdpContext>(ref context));
        return TestRun(data, dataOut, bytes, bytes, repeat);
    }

    /// <summary>
    /// Runs the program with raw context bytes in and out (the program type's context struct, Linux 5.2+ depending
    /// on the type). <paramref name="contextIn"/> and <paramref name="contextOut"/> may be the same memory.
    /// </summary>
    /// <exception cref="BpfException">The kernel refused; ENOSPC when <paramref name="contextOut"/> is smaller than the context.</exception>
    public unsafe TestRunResult TestRun(
        ReadOnlySpan<byte> data, Span<byte> dataOut, ReadOnlySpan<byte> contextIn, Span<byte> contextOut,
        int repeat = 1, TestRunFlags flags = TestRunFlags.None)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(repeat);
        fixed (byte* dataInPointer = data)
        fixed (byte* dataOutPointer = dataOut)
        fixed (byte* contextInPointer = contextIn)
        fixed (byte* contextOutPointer = contextOut)
        {
            var attr = new ProgTestRunAttr
            {
                ProgFd = (uint)Fd.Value,
                DataIn = (ulong)dataInPointer,
                DataSizeIn = (uint)data.Length,
                DataOut = dataOut.IsEmpty ? 0 : (ulong)dataOutPointer,
                DataSizeOut = (uint)dataOut.Length,
                CtxIn = contextIn.IsEmpty ? 0 : (ulong)contextInPointer,
                CtxSizeIn = (uint)contextIn.Length,
                CtxOut = contextOut.IsEmpty ? 0 : (ulong)contextOutPointer,
                CtxSizeOut = (uint)contextOut.Length,
                Repeat = (uint)repeat,
                Flags = (uint)flags,
            };
            int result = BpfSyscall.TryInvoke(BpfCommand.ProgTestRun, ref attr, out int errno);
            bool truncated = attr.DataSizeOut > dataOut.Length && !dataOut.IsEmpty;
            // A short data_out buffer is reported with ENOSPC after everything else was filled in: not an error.
            if (result < 0 && !(errno == Libc.ENOSPC && truncated)) throw TestRunFailure(errno);
            return new TestRunResult
            {
                ReturnValue = attr.Retval,
                DataOutLength = (int)attr.DataSizeOut,
                DataOutTruncated = truncated,
                ContextOutLength = contextOut.IsEmpty ? 0 : (int)attr.CtxSizeOut,
                DurationNanoseconds = attr.Duration,
            };
        }
    }

    private BpfException TestRunFailure(int errno)
    {
        var error = BpfException.FromErrno(BpfCommand.ProgTestRun, errno, $"test run of program '{Name}' ({Type})");
        string? hint = errno switch
        {
            ENOTSUPP => "this kernel has no BPF_PROG_TEST_RUN for this program type",
            Libc.EINVAL => "the kernel refused the input: packets need at least 14 bytes (Ethernet header) for XDP/TC, " +
                "and context fields the kernel does not accept on input must be zero",
            Libc.ENOSPC => "the context output buffer is smaller than the program type's context struct",
            _ => null,
        };
        return hint is null ? error : new BpfException(error.Command, errno, $"{error.Message}; {hint}");
    }
}
