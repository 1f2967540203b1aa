using System.Text;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Attaches Kprobe programs to kernel functions: one function through the kprobe perf PMU and a perf event link
/// (Linux 4.17 / 5.15), or many through a kprobe-multi link (Linux 5.18). Kernels built without CONFIG_KPROBES
/// (such as the project's lab kernel) have neither: attaching there throws <see cref="BpfNotSupportedException"/>.
/// </summary>
public static class Kprobe
{
    private const uint KprobeMultiReturn = 1;

    /// <summary>Whether this kernel can place kprobes (it has the kprobe PMU, i.e. CONFIG_KPROBES).</summary>
    public static bool IsSupported => ProbePmu.Exists("kprobe");

    /// <summary>Attaches <paramref name="program"/>; see the fd overload.</summary>
    public static PerfEventLink Attach(BpfProgram program, string function, ulong offset = 0, bool isReturn = false) =>
        Attach(program?.Fd!, function, offset, isReturn);

    /// <summary>
    /// Attaches a Kprobe program at <paramref name="function"/>+<paramref name="offset"/> (or its return when
    /// <paramref name="isReturn"/>), for every task and CPU.
    /// </summary>
    /// <exception cref="BpfNotSupportedException">The kernel has no kprobes.</exception>
    /// <exception cref="BpfAttachException">No such function, wrong program type, or the kernel refused.</exception>
    public static PerfEventLink Attach(BpfFd program, string function, ulong offset = 0, bool isReturn = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(function);
        string hook = $"{(isReturn ? "kretprobe" : "kprobe")} {function}{(offset == 0 ? "" : $"+{offset}")}";
        var identity = TracingErrors.CheckProgramType(program, hook, BpfProgramType.Kprobe);
        EnsureSupported();
        int perfFd = ProbePmu.Open("kprobe", function, offset, isReturn, pid: -1, identity, hook);
        return PerfEventLink.Create(program, identity, perfFd, hook);
    }

    /// <summary>Attaches <paramref name="program"/>; see the fd overload.</summary>
    public static KprobeMultiLink AttachMulti(BpfProgram program, IReadOnlyList<string> functions, bool isReturn = false) =>
        AttachMulti(program?.Fd!, functions, isReturn);

    /// <summary>
    /// Attaches a Kprobe program loaded with expected attach type <see cref="BpfAttachType.TraceKprobeMulti"/>
    /// (SEC("kprobe.multi/...")) to every function in <paramref name="functions"/> with one link (Linux 5.18).
    /// </summary>
    /// <exception cref="BpfNotSupportedException">The kernel has no kprobes or no kprobe-multi links.</exception>
    /// <exception cref="BpfAttachException">A function cannot be probed, wrong program type, or the kernel refused.</exception>
    public static unsafe KprobeMultiLink AttachMulti(BpfFd program, IReadOnlyList<string> functions, bool isReturn = false)
    {
        ArgumentNullException.ThrowIfNull(functions);
        if (functions.Count == 0) throw new ArgumentException("kprobe-multi needs at least one function", nameof(functions));
        string hook = $"{(isReturn ? "kretprobe.multi" : "kprobe.multi")} {string.Join(',', functions.Take(3))}{(functions.Count > 3 ? ",..." : "")}";
        var identity = TracingErrors.CheckProgramType(program, hook, BpfProgramType.Kprobe);
        EnsureSupported();

        // One buffer of NUL-terminated names and an array of pointers into it, as the kernel reads them.
        var names = functions.Select(f => Encoding.ASCII.GetBytes(f + "\0")).ToArray();
        var buffer = new byte[names.Sum(n => n.Length)];
        var pointers = new ulong[names.Length];
        int fd;
        int errno;
        fixed (byte* start = buffer)
        fixed (ulong* symbols = pointers)
        {
            int at = 0;
            for (int i = 0; i < names.Length; i++)
            {
                names[i].CopyTo(buffer, at);
                pointers[i] = (ulong)(start + at);
                at += names[i].Length;
            }
            var attr = new LinkCreateKprobeMultiAttr
            {
                ProgFd = (uint)program.Value,
                AttachType = (uint)BpfAttachType.TraceKprobeMulti,
                MultiFlags = isReturn ? KprobeMultiReturn : 0,
                Count = (uint)names.Length,
                Symbols = (ulong)symbols,
            };
            fd = BpfSyscall.TryInvoke(BpfCommand.LinkCreate, ref attr, out errno);
        }
        if (fd < 0)
        {
            if (errno == Libc.EOPNOTSUPP)
                throw new BpfNotSupportedException("kprobe-multi links", "5.18", "the kernel was built without CONFIG_FPROBE");
            throw TracingErrors.Explain(errno, identity, hook, "BPF_LINK_CREATE");
        }
        var handle = new BpfFd(fd);
        try
        {
            return new KprobeMultiLink(handle, BpfLink.ReadInfo(handle)) { CreatedHere = true };
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static void EnsureSupported()
    {
        if (!IsSupported)
            throw new BpfNotSupportedException("kprobes", "4.17",
                "the kernel was built without CONFIG_KPROBES (there is no kprobe PMU in /sys/bus/event_source/devices)");
    }
}
