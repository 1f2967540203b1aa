using System.Text;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// A raw tracepoint (SEC("raw_tp/NAME"), Linux 4.17) or BTF-typed tracepoint (SEC("tp_btf/NAME"), Linux 5.5)
/// attachment, made by BPF_RAW_TRACEPOINT_OPEN, which returns a bpf_link.
/// </summary>
public sealed class RawTracepointLink : BpfLink
{
    internal RawTracepointLink(BpfFd fd, LinkDetails info) : base(fd, info)
    {
    }

    /// <inheritdoc />
    public override AttachmentKind Kind => AttachmentKind.RawTracepointLink;

    /// <summary>Attaches <paramref name="program"/>; see the fd overload.</summary>
    public static RawTracepointLink Attach(BpfProgram program, string? tracepoint = null) => Attach(program?.Fd!, tracepoint);

    /// <summary>
    /// Attaches a RawTracepoint program to tracepoint <paramref name="tracepoint"/> (e.g. "inet_sock_set_state"),
    /// or a Tracing program loaded for a tp_btf target (its attach_btf_id names the tracepoint; pass null).
    /// </summary>
    /// <exception cref="BpfAttachException">No such tracepoint, wrong program type, or the kernel refused.</exception>
    public static RawTracepointLink Attach(BpfFd program, string? tracepoint)
    {
        string hook = $"raw tracepoint {tracepoint ?? "(from BTF)"}";
        var identity = TracingErrors.CheckProgramType(program, hook,
            BpfProgramType.RawTracepoint, BpfProgramType.RawTracepointWritable, BpfProgramType.Tracing);
        if (tracepoint is null && identity.Type != BpfProgramType.Tracing)
            throw new ArgumentNullException(nameof(tracepoint), "a raw tracepoint program needs the tracepoint's name");
        // A Tracing program carries its target in attach_btf_id; the kernel insists the name is then NULL.
        var handle = Open(program, identity, identity.Type == BpfProgramType.Tracing ? null : tracepoint, hook);
        try
        {
            return new RawTracepointLink(handle, ReadInfo(handle)) { CreatedHere = true };
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>BPF_RAW_TRACEPOINT_OPEN; a null name attaches at the program's BTF target.</summary>
    internal static unsafe BpfFd Open(BpfFd program, BpfProgramInfo identity, string? name, string hook)
    {
        byte[]? text = name is null ? null : Encoding.ASCII.GetBytes(name + "\0");
        int fd;
        int errno;
        fixed (byte* namePointer = text)
        {
            var attr = new RawTracepointOpenAttr { Name = (ulong)namePointer, ProgFd = (uint)program.Value };
            fd = BpfSyscall.TryInvoke(BpfCommand.RawTracepointOpen, ref attr, out errno);
        }
        if (fd < 0) throw TracingErrors.Explain(errno, identity, hook, "BPF_RAW_TRACEPOINT_OPEN");
        return new BpfFd(fd);
    }
}
