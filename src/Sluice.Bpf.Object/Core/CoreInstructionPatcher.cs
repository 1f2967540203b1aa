namespace Sluice.Bpf.Object.Core;

/// <summary>
/// Writes a CO-RE resolution into its instruction (libbpf's bpf_core_patch_insn): an ALU immediate, a load/store
/// offset (and width, when the field's size changed in a way that is safe to follow), or an ld_imm64 constant.
/// A poisoned resolution turns the instruction into a call to an invalid helper.
/// </summary>
internal static class CoreInstructionPatcher
{
    private const byte ClassLoad = 0x00, ClassLoadX = 0x01, ClassStore = 0x02, ClassStoreX = 0x03, ClassAlu = 0x04, ClassAlu64 = 0x07;
    private const byte SourceRegisterBit = 0x08;
    private const byte Call = 0x85;

    public static void Patch(ProgramSpec program, CoreResolution resolution)
    {
        var relocation = resolution.Relocation;
        int index = relocation.InstructionIndex;
        var instructions = program.Instructions;
        if ((uint)index >= (uint)instructions.Length)
            throw Error(program, resolution, $"instruction {index} is beyond the program ({instructions.Length} instructions)");
        ref var instruction = ref instructions[index];

        if (resolution.IsPoisoned)
        {
            Poison(program, index, CoreRelocator.PoisonHelperId,
                $"CO-RE {CoreRelocator.Words(relocation.Kind)} relocation of {resolution.Description}: the target BTF has no matching type, field or enumerator");
            return;
        }

        ulong expected = resolution.LocalValue;
        ulong value = resolution.TargetValue;
        switch (instruction.Opcode & 0x07)
        {
            case ClassAlu or ClassAlu64:
                if ((instruction.Opcode & SourceRegisterBit) != 0)
                    throw Error(program, resolution, $"instruction {index} takes its operand from a register, not an immediate");
                if (resolution.Validate && (uint)instruction.Immediate != (uint)expected)
                    throw Error(program, resolution, $"instruction {index} holds {instruction.Immediate}, expected {expected}");
                if (value > uint.MaxValue)
                    throw Error(program, resolution, $"the value {value} does not fit the 32-bit immediate of instruction {index}");
                instruction.Immediate = (int)(uint)value;
                break;
            case ClassLoadX or ClassStore or ClassStoreX:
                if (resolution.Validate && instruction.Offset != (long)expected)
                    throw Error(program, resolution, $"instruction {index} has offset {instruction.Offset}, expected {expected}");
                if (value > (ulong)short.MaxValue)
                    throw Error(program, resolution, $"the offset {value} does not fit the 16-bit offset of instruction {index}");
                if (resolution.CannotAdjustSize)
                {
                    Poison(program, index, CoreRelocator.PoisonHelperId,
                        $"CO-RE relocation of {resolution.Description}: the field is {resolution.TargetFieldSize} bytes in the target, {resolution.LocalFieldSize} in the object, and the access cannot be resized");
                    return;
                }
                if (resolution.LocalFieldSize != resolution.TargetFieldSize && resolution.TargetFieldSize != 0)
                    instruction.Opcode = (byte)((instruction.Opcode & 0xe7) | SizeBits(program, resolution, resolution.TargetFieldSize));
                instruction.Offset = (short)value;
                break;
            case ClassLoad when instruction.IsLoadImmediate64 && index + 1 < instructions.Length:
                ulong current = (uint)instruction.Immediate | (ulong)(uint)instructions[index + 1].Immediate << 32;
                if (resolution.Validate && current != expected)
                    throw Error(program, resolution, $"ld_imm64 at instruction {index} holds {current}, expected {expected}");
                instruction.Immediate = (int)(uint)value;
                instructions[index + 1].Immediate = (int)(uint)(value >> 32);
                break;
            default:
                throw Error(program, resolution, $"instruction {index} ({instruction}) is not an ALU immediate, a load/store or an ld_imm64");
        }
    }

    /// <summary>Replaces instruction <paramref name="index"/> (both halves of an ld_imm64) by a call to helper <paramref name="helperId"/>, which does not exist.</summary>
    public static void Poison(ProgramSpec program, int index, int helperId, string description)
    {
        var instructions = program.Instructions;
        // The second half of an ld_imm64 becomes a call too, or the verifier would report "unknown opcode 00" first.
        if (instructions[index].IsLoadImmediate64 && index + 1 < instructions.Length) instructions[index + 1] = PoisonedCall(helperId);
        instructions[index] = PoisonedCall(helperId);
        program.PoisonedInstructions.Add(new PoisonedInstruction(index, helperId, description));
    }

    private static BpfInstruction PoisonedCall(int helperId) => new() { Opcode = Call, Immediate = helperId };

    private static byte SizeBits(ProgramSpec program, CoreResolution resolution, uint bytes) => bytes switch
    {
        1 => 0x10,
        2 => 0x08,
        4 => 0x00,
        8 => 0x18,
        _ => throw Error(program, resolution, $"a load or store cannot be {bytes} bytes wide"),
    };

    private static BpfCoreRelocationException Error(ProgramSpec program, CoreResolution resolution, string problem) =>
        CoreRelocator.Failure(CoreFailureKind.UnexpectedInstruction, program, resolution.Relocation, resolution.Description, problem);
}
