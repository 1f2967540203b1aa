namespace Sluice.Bpf;

/// <summary>Program facts that attach code needs for type checks and for naming programs in messages.</summary>
internal static class ProgramLookup
{
    internal static BpfProgramInfo Of(BpfFd program) => BpfProgramInfo.FromFd(program);

    internal static BpfProgramInfo? Find(uint id) => id == 0 ? null : BpfProgramInfo.FromId(id);

    /// <summary>A new fd of our own for program <paramref name="id"/>, or null when it is gone.</summary>
    internal static BpfFd? TryOpen(uint id) => id == 0 ? null : BpfProgramInfo.OpenById(id);

    /// <summary>"id 42 'xdp_drop' (Xdp)" for messages.</summary>
    internal static string Describe(BpfProgramInfo program) =>
        program.Name.Length == 0 ? $"id {program.Id} ({program.Type})" : $"id {program.Id} '{program.Name}' ({program.Type})";

    /// <summary>Like <see cref="Describe(BpfProgramInfo)"/>, or just the id when the program is gone.</summary>
    internal static string Describe(uint id) => Find(id) is { } program ? Describe(program) : $"id {id}";
}
