using Sluice.Bpf.Object.Elf;

namespace Sluice.Bpf.Object.Linking;

/// <summary>A function in an executable section: instructions [<see cref="Start"/>, <see cref="End"/>) of <see cref="Section"/>.</summary>
internal sealed record ObjectFunction(string Name, ElfSection Section, int Start, int End, ElfSymbol Symbol)
{
    /// <summary>Global functions outside .text are programs (libbpf's rule); everything else is only callable.</summary>
    public bool IsProgram => Symbol.IsGlobal && Section.Name != ".text";

    public override string ToString() => $"'{Name}' in '{Section.Name}'";
}
