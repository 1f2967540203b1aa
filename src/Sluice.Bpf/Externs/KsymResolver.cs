using System.Globalization;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Points a program's .ksyms uses at the running kernel (always its own BTF: ids are meaningless in another's):
/// typed variables become ld_imm64 BPF_PSEUDO_BTF_ID of the kernel VAR (Linux 5.11), typeless symbols their
/// /proc/kallsyms address, kfunc calls BPF_PSEUDO_KFUNC_CALL with the kernel FUNC's id (5.13). Types and prototypes
/// must be CO-RE compatible with the kernel's. A missing __weak extern reads 0; a call to a missing __weak kfunc is
/// poisoned like a CO-RE relocation (fails only if reachable). Module BTF is not searched: vmlinux only.
/// </summary>
internal static class KsymResolver
{
    private const byte PseudoBtfId = 3;
    private const byte PseudoKfuncCall = 2;

    /// <summary>libbpf's invalid helper base for a poisoned call to a missing weak kfunc (plus the extern's index).</summary>
    internal const int PoisonKfuncBase = 2002000000;

    internal static ProgramSpec Apply(ProgramSpec program, ObjectSpec spec)
    {
        var copy = program.Clone();
        copy.ExternReferences.Clear();
        foreach (var reference in program.ExternReferences)
        {
            int index = spec.Externs.FindIndex(e => e.Name == reference.Name);
            if (index < 0) throw Error(program, reference.Name, "is not among the object's externs");
            var extern_ = spec.Externs[index];
            ref var instruction = ref copy.Instructions[reference.InstructionIndex];
            switch (extern_.Kind)
            {
                case ExternKind.TypelessSymbol:
                    ulong address = KernelSymbols.Address(extern_.Name);
                    if (address == 0 && !extern_.IsWeak)
                        throw Error(program, extern_.Name, KernelSymbols.AddressesHidden
                            ? "cannot be resolved: /proc/kallsyms shows no addresses to this process (kptr_restrict)"
                            : "does not exist in this kernel (/proc/kallsyms), and the extern is not __weak");
                    instruction.Immediate = (int)(uint)address;
                    copy.Instructions[reference.InstructionIndex + 1].Immediate = (int)(uint)(address >> 32);
                    break;
                case ExternKind.KernelVariable or ExternKind.KernelFunction:
                    bool function = extern_.Kind == ExternKind.KernelFunction;
                    var vmlinux = KernelBtf.Vmlinux;
                    var target = vmlinux.FindType(extern_.Name, function ? BtfKind.Function : BtfKind.Variable);
                    if (target is null)
                    {
                        if (!extern_.IsWeak)
                            throw Error(program, extern_.Name, $"does not exist in this kernel's BTF (no {(function ? "kfunc" : "variable")} of that name), and the extern is not __weak");
                        if (reference.IsCall)
                            Poison(copy, reference.InstructionIndex, PoisonKfuncBase + index, $"kfunc '{extern_.Name}' does not exist in this kernel");
                        // A weak ld_imm64 stays the constant 0, so bpf_ksym_exists() is false.
                        break;
                    }
                    if (!CoreRelocator.AreCompatible(spec.Btf!, extern_.TypeId, vmlinux, target.ReferencedTypeId))
                        throw Error(program, extern_.Name, $"is declared as {spec.Btf!.TypeName(extern_.TypeId)}, which does not match the kernel's {vmlinux.TypeName(target.ReferencedTypeId)}");
                    instruction.Immediate = (int)target.Id;
                    if (reference.IsCall)
                    {
                        instruction.SourceRegister = PseudoKfuncCall;
                        instruction.Offset = 0; // index into fd_array: 0 is vmlinux
                    }
                    else
                    {
                        instruction.SourceRegister = PseudoBtfId;
                        copy.Instructions[reference.InstructionIndex + 1].Immediate = 0; // BTF object fd: 0 is vmlinux
                    }
                    break;
                default:
                    throw Error(program, extern_.Name, "is a kconfig value used as a kernel symbol");
            }
        }
        return copy;
    }

    private static void Poison(ProgramSpec program, int index, int helperId, string description)
    {
        program.Instructions[index] = new BpfInstruction { Opcode = 0x85, Immediate = helperId };
        program.PoisonedInstructions.Add(new PoisonedInstruction(index, helperId, description));
    }

    private static BpfCoreRelocationException Error(ProgramSpec program, string name, string problem) =>
        new(CoreFailureKind.MissingExtern, program.Name, $"program '{program.Name}': ksym '{name}' {problem}");
}
