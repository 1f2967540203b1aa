using System.Text;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

public sealed partial class BpfBtf
{
    private const int FirstLogSize = 64 * 1024;
    private const int MaxLogSize = 16 * 1024 * 1024;

    /// <summary>
    /// Loads an object's BTF (BPF_BTF_LOAD, Linux 4.18), first rewriting the kinds the running kernel lacks
    /// (see <c>BtfSanitizer</c>). On refusal the load is repeated with a log, whose last lines go into the message.
    /// </summary>
    /// <param name="rawBtf">The object's .BTF section as the object reader fixed it up (<c>BtfSpec.RawData</c>).</param>
    /// <exception cref="BpfNotSupportedException">The kernel has no BPF_BTF_LOAD.</exception>
    /// <exception cref="BpfException">The kernel refused the BTF.</exception>
    /// <exception cref="FormatException">The blob is not well-formed BTF.</exception>
    public static BpfBtf Load(ReadOnlySpan<byte> rawBtf)
    {
        MemoryLimit.EnsureUnlimited();
        var features = BtfFeatureProbe.Current;
        if (!features.Loadable) throw new BpfNotSupportedException("BTF (BPF_BTF_LOAD)", "4.18");
        var blob = BtfSanitizer.Sanitize(rawBtf, features, out int rewritten);
        int fd = TryLoad(blob, 0, null, out int errno);
        if (fd < 0)
        {
            string log = LoadWithLog(blob, ref fd, ref errno);
            if (fd < 0)
            {
                var error = BpfException.FromErrno(BpfCommand.BtfLoad, errno, "object BTF");
                string detail = string.IsNullOrWhiteSpace(log) ? "" : $"; kernel BTF log: {VerifierLogSummary.Summarize(log)}";
                throw new BpfException(error.Command, errno, error.Message + detail);
            }
        }
        return new BpfBtf(new BpfFd(fd), features.Func) { RewrittenTypes = rewritten };
    }

    /// <summary>Loads an object's BTF as the object reader parsed it; see <see cref="Load(ReadOnlySpan{byte})"/>.</summary>
    public static BpfBtf Load(Sluice.Bpf.Object.BtfSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Load(spec.RawData);
    }

    /// <summary>How many types were rewritten for this kernel (0 on kernels that accept every kind, like 6.0+).</summary>
    public int RewrittenTypes { get; private init; }

    private static string LoadWithLog(byte[] blob, ref int fd, ref int errno)
    {
        for (int size = FirstLogSize; ; size *= 4)
        {
            var log = new byte[size];
            fd = TryLoad(blob, size, log, out errno);
            if (fd >= 0 || errno != Libc.ENOSPC || size >= MaxLogSize)
            {
                int end = Array.IndexOf(log, (byte)0);
                return Encoding.UTF8.GetString(log, 0, end < 0 ? log.Length : end);
            }
        }
    }

    private static unsafe int TryLoad(byte[] blob, int logSize, byte[]? log, out int errno)
    {
        fixed (byte* pointer = blob)
        fixed (byte* logPointer = log)
        {
            var attr = new BtfLoadAttr
            {
                Btf = (ulong)pointer,
                BtfSize = (uint)blob.Length,
                BtfLogBuf = log is null ? 0 : (ulong)logPointer,
                BtfLogSize = (uint)logSize,
                BtfLogLevel = log is null ? 0u : 1u,
            };
            return BpfSyscall.TryInvoke(BpfCommand.BtfLoad, ref attr, out errno);
        }
    }
}
