namespace Sluice.Bpf;

/// <summary>
/// A program attached to a hook. Every attachment kind (XDP link or netlink, TCX link, TC filter, ...) offers the
/// same four operations; <see cref="IDisposable.Dispose"/> releases this process's hold, which detaches the program
/// unless the attachment was pinned (links) or told to stay (<see cref="TcFilterAttachment.DetachOnDispose"/>,
/// <see cref="XdpNetlinkAttachment.DetachOnDispose"/>).
/// </summary>
public interface IBpfAttachment : IDisposable
{
    /// <summary>Which hook and mechanism this is.</summary>
    AttachmentKind Kind { get; }

    /// <summary>The id of the program currently attached through this attachment.</summary>
    uint ProgramId { get; }

    /// <summary>Replaces the program atomically: every packet sees either the old or the new program.</summary>
    /// <param name="program">The new program's fd; must be of the same type.</param>
    void Update(BpfFd program);

    /// <summary>Pins the attachment on bpffs so it outlives this process (links only, Linux 5.7 for most kinds).</summary>
    /// <exception cref="NotSupportedException">The attachment kind cannot be pinned (netlink-based ones).</exception>
    void Pin(string path);

    /// <summary>Detaches the program now, whoever else holds the attachment (pins included).</summary>
    void Detach();
}
