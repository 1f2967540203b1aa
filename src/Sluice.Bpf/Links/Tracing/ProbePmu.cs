using System.Globalization;
using System.Text;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>
/// The kprobe and uprobe perf PMUs (Linux 4.17): their dynamic perf type and the config bit that makes a return
/// probe, read from /sys/bus/event_source/devices/{kprobe,uprobe}. Opening a probe through them needs no tracefs.
/// </summary>
internal static class ProbePmu
{
    private const string Devices = "/sys/bus/event_source/devices";

    /// <summary>Whether the PMU exists (kprobe: CONFIG_KPROBES; uprobe: CONFIG_UPROBE_EVENTS).</summary>
    internal static bool Exists(string pmu) => File.Exists(Path.Combine(Devices, pmu, "type"));

    /// <summary>
    /// Opens a probe on <paramref name="target"/> (a kernel function name, or a binary's path) at
    /// <paramref name="offset"/>; returns the perf event fd.
    /// </summary>
    internal static unsafe int Open(string pmu, string target, ulong offset, bool isReturn, int pid, BpfProgramInfo identity, string hook)
    {
        var (type, returnBit) = Describe(pmu);
        byte[] text = Encoding.UTF8.GetBytes(target + "\0");
        fixed (byte* pointer = text)
        {
            var attr = new PerfEventAttr
            {
                Type = type,
                Config = isReturn ? 1ul << returnBit : 0,
                Config1 = (ulong)pointer,
                Config2 = offset,
                SamplePeriod = 1,
                WakeupEvents = 1,
            };
            // For probes the program runs for every task and CPU when pid is -1; perf then wants a CPU (0).
            int fd = PerfEvents.Open(ref attr, pid, pid < 0 ? 0 : -1, out int errno);
            if (fd < 0)
            {
                if (errno == Libc.ENOENT || errno == Libc.EINVAL && pmu == "kprobe")
                    throw new BpfAttachException(AttachFailure.TargetNotFound, errno,
                        $"cannot attach program {ProgramLookup.Describe(identity)} to {hook}: the kernel cannot probe it " +
                        $"(perf_event_open failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)}))");
                throw TracingErrors.Explain(errno, identity, hook, "perf_event_open");
            }
            return fd;
        }
    }

    private static (uint Type, int ReturnBit) Describe(string pmu)
    {
        string directory = Path.Combine(Devices, pmu);
        uint type = uint.Parse(File.ReadAllText(Path.Combine(directory, "type")).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
        // format/retprobe reads "config:0": the bit of attr.config that turns the probe into a return probe.
        string format = File.ReadAllText(Path.Combine(directory, "format", "retprobe")).Trim();
        int colon = format.IndexOf(':', StringComparison.Ordinal);
        int bit = colon >= 0 && int.TryParse(format.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) ? parsed : 0;
        return (type, bit);
    }
}
