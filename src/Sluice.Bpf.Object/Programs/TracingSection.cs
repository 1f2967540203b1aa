using System.Globalization;

namespace Sluice.Bpf.Object;

/// <summary>The tracing hook a section name asks for (libbpf's auto-attach conventions).</summary>
public enum TracingHook
{
    /// <summary>kprobe/FUNC[+OFFSET]: a kernel function entry (perf_event kprobe PMU).</summary>
    Kprobe,
    /// <summary>kretprobe/FUNC: a kernel function return.</summary>
    Kretprobe,
    /// <summary>kprobe.multi/PATTERN: many kernel functions through one kprobe-multi link (Linux 5.18).</summary>
    KprobeMulti,
    /// <summary>kretprobe.multi/PATTERN.</summary>
    KretprobeMulti,
    /// <summary>uprobe/BINARY:FUNCTION[+OFFSET]: a user-space function entry (uprobe PMU).</summary>
    Uprobe,
    /// <summary>uretprobe/BINARY:FUNCTION: a user-space function return.</summary>
    Uretprobe,
    /// <summary>tracepoint/CATEGORY/NAME (or tp/): a perf tracepoint.</summary>
    Tracepoint,
    /// <summary>raw_tracepoint/NAME (or raw_tp/): a raw tracepoint, arguments untyped (Linux 4.17).</summary>
    RawTracepoint,
    /// <summary>tp_btf/NAME: a raw tracepoint with BTF-typed arguments (Linux 5.5).</summary>
    BtfTracepoint,
    /// <summary>fentry/FUNC: BPF trampoline at a kernel function's entry (Linux 5.5).</summary>
    Fentry,
    /// <summary>fexit/FUNC: BPF trampoline at a kernel function's exit (Linux 5.5).</summary>
    Fexit,
    /// <summary>fmod_ret/FUNC: may override an error-injectable function's return value (Linux 5.7).</summary>
    ModifyReturn,
    /// <summary>lsm/HOOK: a BPF LSM hook (Linux 5.7, CONFIG_BPF_LSM and "bpf" in the lsm= list).</summary>
    Lsm,
}

/// <summary>
/// A tracing section name taken apart: which hook and what target, e.g. "tp_btf/inet_sock_set_state" is
/// (<see cref="TracingHook.BtfTracepoint"/>, "inet_sock_set_state"). <see cref="Target"/> is empty when the section
/// names no target (libbpf then needs the target from the caller at attach time).
/// </summary>
/// <param name="Hook">The hook kind.</param>
/// <param name="Target">What follows the first '/', e.g. "sock/inet_sock_set_state", "tcp_v4_connect", "/bin/bash:readline".</param>
public readonly record struct TracingSection(TracingHook Hook, string Target)
{
    private static readonly (string Prefix, TracingHook Hook)[] Prefixes =
    [
        ("kprobe.multi", TracingHook.KprobeMulti),
        ("kretprobe.multi", TracingHook.KretprobeMulti),
        ("kprobe", TracingHook.Kprobe),
        ("kretprobe", TracingHook.Kretprobe),
        ("uprobe.s", TracingHook.Uprobe),
        ("uretprobe.s", TracingHook.Uretprobe),
        ("uprobe", TracingHook.Uprobe),
        ("uretprobe", TracingHook.Uretprobe),
        ("tracepoint", TracingHook.Tracepoint),
        ("tp", TracingHook.Tracepoint),
        ("raw_tracepoint.w", TracingHook.RawTracepoint),
        ("raw_tp.w", TracingHook.RawTracepoint),
        ("raw_tracepoint", TracingHook.RawTracepoint),
        ("raw_tp", TracingHook.RawTracepoint),
        ("tp_btf", TracingHook.BtfTracepoint),
        ("fentry.s", TracingHook.Fentry),
        ("fexit.s", TracingHook.Fexit),
        ("fmod_ret.s", TracingHook.ModifyReturn),
        ("fentry", TracingHook.Fentry),
        ("fexit", TracingHook.Fexit),
        ("fmod_ret", TracingHook.ModifyReturn),
        ("lsm.s", TracingHook.Lsm),
        ("lsm", TracingHook.Lsm),
    ];

    /// <summary>The hook and target of <paramref name="sectionName"/>, or null when it is not a tracing section.</summary>
    public static TracingSection? Parse(string sectionName)
    {
        ArgumentNullException.ThrowIfNull(sectionName);
        foreach (var (prefix, hook) in Prefixes)
        {
            if (sectionName == prefix) return new TracingSection(hook, "");
            if (sectionName.Length > prefix.Length && sectionName.StartsWith(prefix, StringComparison.Ordinal)
                && sectionName[prefix.Length] == '/')
                return new TracingSection(hook, sectionName[(prefix.Length + 1)..]);
        }
        return null;
    }

    /// <summary>
    /// True for the hooks whose programs the kernel verifies against a kernel BTF type, so BPF_PROG_LOAD needs
    /// attach_btf_id (tp_btf, fentry, fexit, fmod_ret, lsm).
    /// </summary>
    public bool NeedsKernelBtf => Hook is TracingHook.BtfTracepoint or TracingHook.Fentry or TracingHook.Fexit
        or TracingHook.ModifyReturn or TracingHook.Lsm;

    /// <summary>
    /// The kernel BTF type the program's attach_btf_id names, as libbpf looks it up: the typedef "btf_trace_NAME"
    /// for tp_btf, the FUNC "bpf_lsm_HOOK" for lsm, the FUNC itself for fentry/fexit/fmod_ret; null otherwise.
    /// </summary>
    public (string Name, BtfKind Kind)? KernelBtfType => Hook switch
    {
        TracingHook.BtfTracepoint => ("btf_trace_" + Target, BtfKind.Typedef),
        TracingHook.Lsm => ("bpf_lsm_" + Target, BtfKind.Function),
        TracingHook.Fentry or TracingHook.Fexit or TracingHook.ModifyReturn => (Target, BtfKind.Function),
        _ => null,
    };

    /// <summary>For tracepoints: the category and event name of "CATEGORY/NAME".</summary>
    /// <exception cref="FormatException">The target is not CATEGORY/NAME.</exception>
    public (string Category, string Name) TracepointName()
    {
        int slash = Target.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == Target.Length - 1 || Target.IndexOf('/', slash + 1) >= 0)
            throw new FormatException($"tracepoint '{Target}' is not CATEGORY/NAME");
        return (Target[..slash], Target[(slash + 1)..]);
    }

    /// <summary>For kprobes: the function and byte offset of "FUNC[+OFFSET]" (offset decimal or 0x hex).</summary>
    /// <exception cref="FormatException">The offset is not a number.</exception>
    public (string Function, ulong Offset) ProbeFunction() => SplitOffset(Target);

    /// <summary>For uprobes: the binary, function and offset of "BINARY:FUNCTION[+OFFSET]".</summary>
    /// <exception cref="FormatException">The target has no ':' or a bad offset.</exception>
    public (string Binary, string Function, ulong Offset) UprobeTarget()
    {
        int colon = Target.LastIndexOf(':');
        if (colon <= 0 || colon == Target.Length - 1)
            throw new FormatException($"uprobe target '{Target}' is not BINARY:FUNCTION[+OFFSET]");
        var (function, offset) = SplitOffset(Target[(colon + 1)..]);
        return (Target[..colon], function, offset);
    }

    private static (string Function, ulong Offset) SplitOffset(string text)
    {
        int plus = text.IndexOf('+', StringComparison.Ordinal);
        if (plus < 0) return (text, 0);
        string number = text[(plus + 1)..];
        bool hex = number.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        if (!ulong.TryParse(hex ? number[2..] : number, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None,
                CultureInfo.InvariantCulture, out ulong offset))
            throw new FormatException($"offset '{number}' in '{text}' is not a number");
        return (text[..plus], offset);
    }
}
