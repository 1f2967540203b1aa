using System.Text;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>
/// Issues BPF_PROG_LOAD with the log policy: without a log first (the verifier runs faster and nothing is
/// allocated), and only on failure again with one, growing the buffer while the kernel answers ENOSPC.
/// EAGAIN (the verifier noticed a pending signal) is retried a few times.
/// </summary>
internal static unsafe class ProgLoadWithLog
{
    /// <summary>The kernel's ceiling for log_size since 5.2 (UINT_MAX &gt;&gt; 2).</summary>
    internal const int MaxLogSize = (int)(uint.MaxValue >> 2);

    /// <summary>The kernel wants at least 128 bytes; smaller first buffers only waste a round trip.</summary>
    private const int MinLogSize = 4096;

    private const int EagainAttempts = 5;

    /// <summary>Returns the fd, or -1 with <paramref name="errno"/>; <paramref name="log"/> is the verifier's text when one was taken.</summary>
    internal static int Load(ref ProgLoadAttr attr, VerifierLogLevel level, int firstLogSize, out int errno, out string? log)
    {
        log = null;
        if (level == VerifierLogLevel.None)
        {
            attr.LogLevel = 0;
            attr.LogSize = 0;
            attr.LogBuf = 0;
            int fd = LoadRetryingEagain(ref attr, out errno);
            if (fd >= 0) return fd;
            level = VerifierLogLevel.Basic;
        }

        int size = Math.Clamp(firstLogSize, MinLogSize, MaxLogSize);
        string? truncated = null;
        while (true)
        {
            var buffer = new byte[size];
            int fd;
            fixed (byte* pointer = buffer)
            {
                attr.LogLevel = (uint)level;
                attr.LogSize = (uint)size;
                attr.LogBuf = (ulong)pointer;
                attr.LogTrueSize = 0;
                fd = LoadRetryingEagain(ref attr, out errno);
            }
            attr.LogBuf = 0;
            if (fd < 0 && errno == Libc.ENOSPC && size < MaxLogSize)
            {
                // 6.4+ says how much it needed; older kernels need guessing.
                truncated = Decode(buffer);
                long next = attr.LogTrueSize > size ? attr.LogTrueSize : (long)size * 4;
                size = (int)Math.Min(next, MaxLogSize);
                continue;
            }
            log = Decode(buffer);
            if (fd < 0 && errno == Libc.EINVAL && log.Length == 0 && truncated is not null)
            {
                // Kernels before 5.2 cap log_size at 16 MiB and refuse larger buffers outright: the truncated
                // log of the previous attempt is the best explanation there is.
                errno = Libc.ENOSPC;
                log = truncated;
            }
            return fd;
        }
    }

    private static int LoadRetryingEagain(ref ProgLoadAttr attr, out int errno)
    {
        for (int attempt = 1; ; attempt++)
        {
            int fd = BpfSyscall.TryInvoke(BpfCommand.ProgLoad, ref attr, out errno);
            if (fd >= 0 || errno != Libc.EAGAIN || attempt == EagainAttempts) return fd;
        }
    }

    private static string Decode(byte[] buffer)
    {
        int end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }
}
