using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// The kernel BTF type a tp_btf, fentry, fexit, fmod_ret or lsm program is verified against (BPF_PROG_LOAD's
/// attach_btf_id), found the way libbpf finds it: the typedef btf_trace_NAME, the FUNC bpf_lsm_HOOK, or the
/// FUNC itself, in vmlinux and then in module BTF (whose object fd goes in attach_btf_obj_fd, Linux 5.11).
/// </summary>
internal sealed class AttachBtfTarget : IDisposable
{
    private AttachBtfTarget(uint typeId, BpfFd? moduleBtf)
    {
        TypeId = typeId;
        ModuleBtf = moduleBtf;
    }

    /// <summary>The type's id in the kernel BTF object that has it.</summary>
    internal uint TypeId { get; }

    /// <summary>The module's BTF object, or null when the type is in vmlinux.</summary>
    internal BpfFd? ModuleBtf { get; }

    /// <summary>The target of <paramref name="spec"/>, or null for programs that need none.</summary>
    /// <exception cref="BpfNotSupportedException">The kernel has no BTF to find the target in.</exception>
    /// <exception cref="BpfException">The section names no target, or the kernel has no such function/tracepoint (ENOENT).</exception>
    internal static AttachBtfTarget? For(ProgramSpec spec)
    {
        if (spec.Type is not (BpfProgramType.Tracing or BpfProgramType.Lsm)) return null;
        if (TracingSection.Parse(spec.SectionName) is not { KernelBtfType: { } wanted } section) return null;
        string what = section.Hook switch
        {
            TracingHook.BtfTracepoint => "tracepoint",
            TracingHook.Lsm => "LSM hook",
            _ => "kernel function",
        };
        if (section.Target.Length == 0)
            throw new BpfException("BPF_PROG_LOAD", Libc.EINVAL,
                $"program '{spec.Name}': section '{spec.SectionName}' names no {what} to attach to, and the kernel needs one at load");
        KernelBtfType? found;
        try
        {
            found = KernelBtf.Find(wanted.Name, wanted.Kind);
        }
        catch (BpfNotSupportedException)
        {
            throw new BpfNotSupportedException($"kernel BTF (needed by program '{spec.Name}' to find {what} '{section.Target}')", "5.5",
                "the kernel has no /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF is off)");
        }
        if (found is not { } target)
            throw new BpfException("BPF_PROG_LOAD", Libc.ENOENT,
                $"program '{spec.Name}': section '{spec.SectionName}' targets {what} '{section.Target}', which this kernel does not have " +
                $"(no {wanted.Kind.ToString().ToLowerInvariant()} '{wanted.Name}' in its BTF)");
        return new AttachBtfTarget(target.Type.Id, target.Module is null ? null : OpenModuleBtf(target.Module, spec));
    }

    private static BpfFd OpenModuleBtf(string module, ProgramSpec spec)
    {
        foreach (uint id in ObjectInfo.Ids(BpfCommand.BtfGetNextId))
        {
#pragma warning disable CA2000 // returned to the caller (ownership moves) or disposed in the finally
            BpfFd? fd = BpfBtfInfo.OpenById(id);
#pragma warning restore CA2000
            if (fd is null) continue;
            try
            {
                var info = BpfBtfInfo.FromFd(fd);
                if (info.IsKernel && info.Name == module) return Interlocked.Exchange(ref fd, null)!;
            }
            finally
            {
                fd?.Dispose();
            }
        }
        throw new BpfException("BPF_PROG_LOAD", Libc.ENOENT,
            $"program '{spec.Name}': its target is in module '{module}', whose BTF object the kernel does not list");
    }

    /// <inheritdoc />
    public void Dispose() => ModuleBtf?.Dispose();
}
