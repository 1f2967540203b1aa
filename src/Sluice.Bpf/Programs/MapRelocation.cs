using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Points a program's ld_imm64 instructions at kernel maps: src_reg says what the immediate is
/// (BPF_PSEUDO_MAP_FD = the map, BPF_PSEUDO_MAP_VALUE = an address inside its value), imm carries the fd, and for
/// a value reference the second half's imm carries the offset.
/// </summary>
internal static class MapRelocation
{
    private const byte PseudoMapFd = 1;
    private const byte PseudoMapValue = 2;

    /// <summary>A copy of the spec's instructions with every map reference resolved to an fd from <paramref name="maps"/>.</summary>
    /// <exception cref="KeyNotFoundException">A referenced map is not in <paramref name="maps"/>.</exception>
    /// <exception cref="InvalidOperationException">A reference does not point at an ld_imm64.</exception>
    internal static BpfInstruction[] Apply(ProgramSpec spec, IReadOnlyDictionary<string, BpfMap>? maps)
    {
        var instructions = spec.Instructions.ToArray();
        foreach (var reference in spec.MapReferences)
        {
            if (maps is null || !maps.TryGetValue(reference.MapName, out var map))
                throw new KeyNotFoundException(
                    $"program '{spec.Name}' references map '{reference.MapName}', which was not provided to the loader");
            int index = reference.InstructionIndex;
            if ((uint)(index + 1) >= (uint)instructions.Length || !instructions[index].IsLoadImmediate64)
                throw new InvalidOperationException(
                    $"program '{spec.Name}': map reference to '{reference.MapName}' at instruction {index} is not an ld_imm64");
            ref var first = ref instructions[index];
            ref var second = ref instructions[index + 1];
            first.Immediate = map.Fd.Value;
            if (reference.Kind == MapReferenceKind.Value)
            {
                first.SourceRegister = PseudoMapValue;
                second.Immediate = checked((int)reference.Offset);
            }
            else
            {
                first.SourceRegister = PseudoMapFd;
                second.Immediate = 0;
            }
        }
        return instructions;
    }
}
