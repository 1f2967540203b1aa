using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>Attaches programs to perf tracepoints (SEC("tracepoint/CATEGORY/NAME")): perf_event_open + a perf event link.</summary>
public static class Tracepoint
{
    /// <summary>Attaches <paramref name="program"/> to tracepoint <paramref name="category"/>:<paramref name="name"/>.</summary>
    public static PerfEventLink Attach(BpfProgram program, string category, string name) => Attach(program?.Fd!, category, name);

    /// <summary>
    /// Attaches a Tracepoint (or PerfEvent) program to <paramref name="category"/>:<paramref name="name"/>, e.g.
    /// "sock", "inet_sock_set_state" (Linux 4.7; through a bpf_link 5.15). Mounts tracefs when it is not mounted.
    /// </summary>
    /// <exception cref="BpfAttachException">No such tracepoint, wrong program type, or the kernel refused.</exception>
    public static PerfEventLink Attach(BpfFd program, string category, string name)
    {
        var identity = TracingErrors.CheckProgramType(program, $"tracepoint {category}:{name}",
            BpfProgramType.Tracepoint, BpfProgramType.PerfEvent);
        string target = $"tracepoint {category}:{name}";
        var attr = new PerfEventAttr
        {
            Type = PerfEvents.TypeTracepoint,
            Config = TraceFs.TracepointId(category, name),
            SamplePeriod = 1,
            WakeupEvents = 1,
        };
        // pid -1 with cpu 0: for tracing events the program runs on every CPU and task regardless.
        int perfFd = PerfEvents.Open(ref attr, pid: -1, cpu: 0, out int errno);
        if (perfFd < 0) throw TracingErrors.Explain(errno, identity, target, "perf_event_open");
        return PerfEventLink.Create(program, identity, perfFd, target);
    }
}
