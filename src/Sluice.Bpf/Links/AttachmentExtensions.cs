namespace Sluice.Bpf;

/// <summary><see cref="BpfProgram"/> conveniences for <see cref="IBpfAttachment"/>.</summary>
public static class AttachmentExtensions
{
    /// <summary>Replaces the attached program with <paramref name="program"/> atomically.</summary>
    public static void Update(this IBpfAttachment attachment, BpfProgram program)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        ArgumentNullException.ThrowIfNull(program);
        attachment.Update(program.Fd);
    }
}
