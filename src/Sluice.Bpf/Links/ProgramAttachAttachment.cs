using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// The common part of attachments made with BPF_PROG_ATTACH (cgroup, socket map): the kernel keeps them with
/// nobody holding them, so this object keeps its own program reference (detaching needs it) and detaches on
/// dispose unless <see cref="DetachOnDispose"/> is cleared. Subclasses say how to reach the target.
/// </summary>
public abstract class ProgramAttachAttachment : IBpfAttachment
{
    private BpfFd? _program;

    private protected ProgramAttachAttachment(BpfAttachType attachType, BpfFd program, uint programId)
    {
        AttachType = attachType;
        _program = program;
        ProgramId = programId;
    }

    /// <summary>The hook.</summary>
    public BpfAttachType AttachType { get; }

    /// <inheritdoc />
    public abstract AttachmentKind Kind { get; }

    /// <inheritdoc />
    public uint ProgramId { get; private set; }

    /// <summary>Whether <see cref="Dispose()"/> detaches the program (default true).</summary>
    public bool DetachOnDispose { get; set; } = true;

    /// <summary>The attached program; throws once it was detached.</summary>
    private protected BpfFd CurrentProgram => _program ?? throw new InvalidOperationException("the program was detached");

    /// <summary>Replaces the program (see the subclass for how atomic that is).</summary>
    public void Update(BpfFd program)
    {
        ArgumentNullException.ThrowIfNull(program);
        ReplaceCore(CurrentProgram, program);
        uint id = ProgramLookup.Of(program).Id;
        var replacement = ProgramLookup.TryOpen(id) ?? throw new InvalidOperationException($"program {id} vanished");
        _program!.Dispose();
        _program = replacement;
        ProgramId = id;
    }

    /// <summary>BPF_PROG_ATTACH attachments cannot be pinned (the subclass's message says what to do instead).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public void Pin(string path) => throw new NotSupportedException(PinAdvice);

    /// <summary>Detaches the program (BPF_PROG_DETACH); one that is already gone is not an error.</summary>
    public void Detach()
    {
        if (_program is not { } current) return;
        DetachCore(current);
        current.Dispose();
        _program = null;
        ProgramId = 0;
    }

    /// <summary>Detaches (when <see cref="DetachOnDispose"/>) and releases this object's references.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Detaches when asked to, then releases the program and whatever the subclass holds.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        try
        {
            if (DetachOnDispose) Detach();
        }
        finally
        {
            _program?.Dispose();
            _program = null;
        }
    }

    private protected abstract string PinAdvice { get; }

    private protected abstract void ReplaceCore(BpfFd current, BpfFd replacement);

    private protected abstract void DetachCore(BpfFd program);
}
