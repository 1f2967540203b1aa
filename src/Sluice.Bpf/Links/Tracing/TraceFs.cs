using System.Globalization;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>
/// tracefs, where the kernel publishes tracepoint ids (events/CATEGORY/NAME/id). Machines that do not mount it at
/// boot get it mounted at /sys/kernel/tracing on first use, the way bpffs is.
/// </summary>
public static class TraceFs
{
    /// <summary>The modern mount point.</summary>
    public const string DefaultMountPoint = "/sys/kernel/tracing";

    private const string DebugFsMountPoint = "/sys/kernel/debug/tracing";
    private const long TraceFsMagic = 0x74726163;
    private static readonly Lock MountLock = new();

    /// <summary>The tracefs directory, mounting tracefs at <see cref="DefaultMountPoint"/> when none is mounted.</summary>
    /// <exception cref="BpfNotSupportedException">The kernel has no tracefs (CONFIG_TRACING off).</exception>
    /// <exception cref="IOException">mount(2) failed for another reason.</exception>
    public static string EnsureMounted()
    {
        lock (MountLock)
        {
            if (IsTraceFs(DefaultMountPoint)) return DefaultMountPoint;
            if (Directory.Exists(Path.Combine(DebugFsMountPoint, "events"))) return DebugFsMountPoint;
            if (!Directory.Exists(DefaultMountPoint))
                throw new BpfNotSupportedException("tracefs", "4.1", "the kernel has no /sys/kernel/tracing (CONFIG_TRACING is off)");
            unsafe
            {
                if (Libc.Mount("tracefs", DefaultMountPoint, "tracefs", 0, null) != 0)
                {
                    int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (errno == Libc.ENODEV)
                        throw new BpfNotSupportedException("tracefs", "4.1", "the kernel has no tracefs (CONFIG_TRACING is off)");
                    throw new IOException($"mounting tracefs at {DefaultMountPoint} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})");
                }
            }
            return DefaultMountPoint;
        }
    }

    /// <summary>The perf id of tracepoint CATEGORY:NAME (events/CATEGORY/NAME/id).</summary>
    /// <exception cref="BpfAttachException">No such tracepoint (<see cref="AttachFailure.TargetNotFound"/>).</exception>
    public static ulong TracepointId(string category, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(category);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (category.Contains('/') || name.Contains('/') || category.Contains("..") || name.Contains(".."))
            throw new ArgumentException($"tracepoint '{category}:{name}': names cannot contain '/' or '..'");
        string path = Path.Combine(EnsureMounted(), "events", category, name, "id");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BpfAttachException(AttachFailure.TargetNotFound, Libc.ENOENT,
                $"tracepoint {category}:{name} does not exist in this kernel (no {path})");
        }
        return ulong.Parse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private static bool IsTraceFs(string path)
    {
        if (!Directory.Exists(path)) return false;
        unsafe
        {
            var buffer = default(StatFsBuffer);
            return Libc.StatFs(path, &buffer) == 0 && buffer.Type == TraceFsMagic;
        }
    }
}
