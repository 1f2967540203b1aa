namespace Sluice.Bpf.Object.Elf;

/// <summary>One symbol table entry. <see cref="SectionIndex"/> is 0 for undefined (extern) symbols.</summary>
internal sealed record ElfSymbol(
    int Index, string Name, byte Type, byte Binding, byte Visibility, int SectionIndex, ulong Value, ulong Size)
{
    public bool IsUndefined => SectionIndex == ElfConstants.SectionIndexUndefined;

    public bool IsFunction => Type == ElfConstants.SymbolFunction;

    public bool IsSection => Type == ElfConstants.SymbolSection;

    public bool IsGlobal => Binding is ElfConstants.BindGlobal or ElfConstants.BindWeak;

    public bool IsHidden => Visibility is ElfConstants.VisibilityHidden or ElfConstants.VisibilityInternal;
}
