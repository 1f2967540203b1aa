namespace Sluice.Bpf.Object.Elf;

/// <summary>One section header, already checked to lie inside the file (NOBITS sections have no bytes).</summary>
internal sealed record ElfSection(
    int Index, string Name, uint Type, ulong Flags, ulong Offset, ulong Size, uint Link, uint Info, ulong EntrySize)
{
    public bool IsExecutable => (Flags & ElfConstants.FlagExecute) != 0 && Type == ElfConstants.SectionProgBits;

    public bool HasFileData => Type != ElfConstants.SectionNoBits && Type != ElfConstants.SectionNull;

    public override string ToString() => $"section {Index} '{Name}'";
}
