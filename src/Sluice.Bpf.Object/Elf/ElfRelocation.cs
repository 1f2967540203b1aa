namespace Sluice.Bpf.Object.Elf;

/// <summary>One REL entry: at byte <see cref="Offset"/> of the target section, apply <see cref="Type"/> for <see cref="Symbol"/>.</summary>
internal readonly record struct ElfRelocation(ulong Offset, uint Type, ElfSymbol Symbol);
