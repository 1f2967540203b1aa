using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Attaches a tracing program where its section name says (libbpf's auto-attach): tracepoint/CATEGORY/NAME,
/// raw_tp/NAME, tp_btf/NAME, fentry|fexit|fmod_ret/FUNC, lsm/HOOK, kprobe|kretprobe/FUNC[+OFF],
/// kprobe.multi/FUNC, uprobe|uretprobe/BINARY:FUNC[+OFF].
/// </summary>
public static class TracingAttach
{
    /// <summary>Attaches <paramref name="program"/> at the target named by <paramref name="sectionName"/>.</summary>
    /// <exception cref="ArgumentException">The section is not a tracing section or names no target.</exception>
    /// <exception cref="FormatException">The target is malformed (e.g. a tracepoint without a category).</exception>
    /// <exception cref="BpfAttachException">The kernel refused or the target does not exist.</exception>
    /// <exception cref="BpfNotSupportedException">The kernel lacks the hook (e.g. kprobes).</exception>
    public static IBpfAttachment AttachBySection(BpfFd program, string sectionName)
    {
        var section = TracingSection.Parse(sectionName)
            ?? throw new ArgumentException($"section '{sectionName}' is not a tracing section", nameof(sectionName));
        if (section.Target.Length == 0 && !section.NeedsKernelBtf)
            throw new ArgumentException($"section '{sectionName}' names no target to attach to", nameof(sectionName));
        switch (section.Hook)
        {
            case TracingHook.Tracepoint:
                var (category, name) = section.TracepointName();
                return Tracepoint.Attach(program, category, name);
            case TracingHook.RawTracepoint:
                return RawTracepointLink.Attach(program, section.Target);
            case TracingHook.Kprobe or TracingHook.Kretprobe:
                var (function, offset) = section.ProbeFunction();
                return Kprobe.Attach(program, function, offset, section.Hook == TracingHook.Kretprobe);
            case TracingHook.KprobeMulti or TracingHook.KretprobeMulti:
                if (section.Target.AsSpan().IndexOfAny('*', '?') >= 0)
                    throw new ArgumentException($"section '{sectionName}': glob patterns are not expanded; attach with the list of functions");
                return Kprobe.AttachMulti(program, section.Target.Split(','), section.Hook == TracingHook.KretprobeMulti);
            case TracingHook.Uprobe or TracingHook.Uretprobe:
                var (binary, symbol, at) = section.UprobeTarget();
                return Uprobe.Attach(program, binary, symbol, at, section.Hook == TracingHook.Uretprobe);
            default:
                return TracingLink.Attach(program);
        }
    }
}
