using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// An fentry/fexit/fmod_ret (Linux 5.5/5.7) or LSM (5.7) program attached through a BPF trampoline link. The
/// target function came from the program's attach_btf_id at load; attaching only names the program.
/// </summary>
public sealed class TracingLink : BpfLink
{
    internal TracingLink(BpfFd fd, LinkDetails info) : base(fd, info)
    {
    }

    /// <inheritdoc />
    public override AttachmentKind Kind => AttachmentKind.TracingLink;

    /// <summary>Attaches <paramref name="program"/>; see the fd overload.</summary>
    public static BpfLink Attach(BpfProgram program) => Attach(program?.Fd!);

    /// <summary>
    /// Attaches a Tracing (fentry/fexit/fmod_ret/tp_btf) or Lsm program at the kernel function or hook it was
    /// loaded for (BPF_RAW_TRACEPOINT_OPEN with no name, which every kernel with trampolines accepts). A tp_btf
    /// program comes back as a <see cref="RawTracepointLink"/>, the others as a <see cref="TracingLink"/>.
    /// </summary>
    /// <exception cref="BpfAttachException">Wrong program type or the kernel refused.</exception>
    public static BpfLink Attach(BpfFd program)
    {
        var identity = TracingErrors.CheckProgramType(program, "its BTF target", BpfProgramType.Tracing, BpfProgramType.Lsm);
        var handle = RawTracepointLink.Open(program, identity, null, $"the BTF target of program {ProgramLookup.Describe(identity)}");
        try
        {
            var details = ReadInfo(handle);
            return details.Type == BpfLinkType.Tracing
                ? new TracingLink(handle, details) { CreatedHere = true }
                : new RawTracepointLink(handle, details) { CreatedHere = true };
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
