using Sluice.Bpf.Object.Btf;
using Sluice.Bpf.Object.Elf;

namespace Sluice.Bpf.Object.Linking;

/// <summary>
/// Builds a program's linked instruction stream: the program's own code, then every function it reaches
/// through bpf-to-bpf calls or function-address loads (transitively, each once, in discovery order).
/// Call immediates are rewritten to the callee's position in that stream; ld_imm64 instructions that name
/// maps or global data become <see cref="MapReference"/>s; func_info and line_info follow their functions.
/// </summary>
internal sealed class ProgramLinker(ElfFile elf, FunctionTable functions, DataReferenceResolver data, ExternTable externs, BtfSpec? btf, BtfExt? ext)
{
    private const byte PseudoFunction = 4;

    public void Link(ObjectFunction program, ProgramSpec spec)
    {
        var output = new List<BpfInstruction>();
        var placed = new List<(ObjectFunction Function, int Start)>();
        var positions = new Dictionary<ObjectFunction, int>();

        int Place(ObjectFunction function)
        {
            if (positions.TryGetValue(function, out int start)) return start;
            start = output.Count;
            positions[function] = start;
            placed.Add((function, start));
            output.AddRange(functions.Code(function.Section).AsSpan(function.Start, function.End - function.Start));
            return start;
        }

        Place(program);
        // `placed` grows while we walk it: each newly reached callee is appended and processed in turn.
        for (int p = 0; p < placed.Count; p++)
        {
            var (function, start) = placed[p];
            for (int k = 0; k < function.End - function.Start; k++)
            {
                int source = function.Start + k;
                int at = start + k;
                var instruction = output[at];
                var relocation = functions.RelocationAt(function.Section, source);

                if (relocation is { Symbol.IsUndefined: true } external && (instruction.Opcode == CallOpcode || instruction.IsLoadImmediate64))
                {
                    LinkExtern(program, function, source, at, external.Symbol, output, spec);
                }
                else if (instruction.IsPseudoCall)
                {
                    var callee = CallTarget(program, function, source, instruction, relocation, isAddress: false);
                    instruction.Immediate = Place(callee) - at - 1;
                    output[at] = instruction;
                }
                else if (instruction.IsLoadImmediate64 && relocation is { } load)
                {
                    if (k + 1 >= function.End - function.Start)
                        throw elf.Error($"program '{program.Name}': ld_imm64 at instruction {source} of '{function.Section.Name}' is cut off by the end of '{function.Name}'");
                    CheckDefined(program, function, load.Symbol);
                    if (functions.IsCodeSection(load.Symbol.SectionIndex))
                    {
                        // A function's address (callbacks for bpf_loop and friends): BPF_PSEUDO_FUNC, same math as a call.
                        var target = CallTarget(program, function, source, instruction, load, isAddress: true);
                        instruction.SourceRegister = PseudoFunction;
                        instruction.Immediate = Place(target) - at - 1;
                        output[at] = instruction;
                    }
                    else
                    {
                        var (mapName, kind, offset) = data.Resolve(load.Symbol, instruction.Immediate, program, function.Section);
                        instruction.Immediate = 0;
                        output[at] = instruction;
                        var second = output[at + 1];
                        second.Immediate = kind == MapReferenceKind.Value ? (int)offset : 0;
                        output[at + 1] = second;
                        spec.MapReferences.Add(new MapReference(at, mapName, kind, offset));
                    }
                }
                else if (relocation is { } other)
                {
                    throw elf.Error($"program '{program.Name}': relocation of type {other.Type} for '{other.Symbol.Name}' at instruction {source} of '{function.Section.Name}' is on an instruction that is neither a call nor an ld_imm64");
                }
            }
        }

        spec.Instructions = [.. output];
        AddDebugInfo(spec, placed);
    }

    /// <summary>
    /// A use of an extern: a kconfig value becomes a reference into the ".kconfig" map; a .ksyms variable, symbol or
    /// kfunc is left as an <see cref="ExternReference"/> for the loader, its immediates zeroed.
    /// </summary>
    private void LinkExtern(ObjectFunction program, ObjectFunction function, int source, int at, ElfSymbol symbol,
        List<BpfInstruction> output, ProgramSpec spec)
    {
        var extern_ = externs.Find(symbol.Name);
        if (extern_ is null) CheckDefined(program, function, symbol);
        bool isCall = output[at].Opcode == CallOpcode;
        // A kfunc may also be loaded by address (bpf_ksym_exists); anything else called is a mistake.
        if (isCall && extern_!.Kind != ExternKind.KernelFunction)
            throw elf.Error($"program '{program.Name}': instruction {source} of '{function.Section.Name}' calls '{symbol.Name}', which is not a kernel function");
        if (!isCall && at + 1 >= output.Count)
            throw elf.Error($"program '{program.Name}': ld_imm64 at instruction {source} of '{function.Section.Name}' is cut off by the end of '{function.Name}'");
        var instruction = output[at];
        if (extern_!.Kind == ExternKind.Kconfig)
        {
            long offset = extern_.Offset + (long)instruction.Immediate;
            instruction.Immediate = 0;
            output[at] = instruction;
            var second = output[at + 1];
            second.Immediate = (int)offset;
            output[at + 1] = second;
            spec.MapReferences.Add(new MapReference(at, ExternTable.KconfigSection, MapReferenceKind.Value, (uint)offset));
            return;
        }
        instruction.Immediate = 0;
        if (isCall) instruction.SourceRegister = 0;
        output[at] = instruction;
        if (!isCall)
        {
            var second = output[at + 1];
            second.Immediate = 0;
            output[at + 1] = second;
        }
        spec.ExternReferences.Add(new ExternReference(at, extern_.Name, isCall));
    }

    private const byte CallOpcode = 0x85;

    private ObjectFunction CallTarget(ObjectFunction program, ObjectFunction function, int source, BpfInstruction instruction,
        ElfRelocation? relocation, bool isAddress)
    {
        int sectionIndex;
        long target;
        if (relocation is { } r)
        {
            CheckDefined(program, function, r.Symbol);
            if (!functions.IsCodeSection(r.Symbol.SectionIndex))
                throw elf.Error($"program '{program.Name}': call at instruction {source} of '{function.Section.Name}' targets '{r.Symbol.Name}', which is not code");
            sectionIndex = r.Symbol.SectionIndex;
            // Calls count in instructions relative to the symbol (imm + 1); address loads carry a byte addend.
            long symbolInstruction = (long)(r.Symbol.Value / 8);
            target = isAddress ? symbolInstruction + instruction.Immediate / 8 : symbolInstruction + instruction.Immediate + 1;
        }
        else
        {
            sectionIndex = function.Section.Index;
            target = (long)source + instruction.Immediate + 1;
        }
        return functions.FunctionStartingAt(sectionIndex, target) ?? throw elf.Error(
            $"program '{program.Name}': call at instruction {source} of '{function.Section.Name}' targets instruction {target} of '{elf.Sections[sectionIndex].Name}', which is not the start of a function");
    }

    private void CheckDefined(ObjectFunction program, ObjectFunction function, ElfSymbol symbol)
    {
        if (symbol.IsUndefined)
            throw elf.Error($"program '{program.Name}' (in '{function.Section.Name}') uses extern symbol '{symbol.Name}', which the object's BTF does not declare in .kconfig or .ksyms (declare it __kconfig or __ksym)");
    }

    private void AddDebugInfo(ProgramSpec spec, List<(ObjectFunction Function, int Start)> placed)
    {
        if (btf is null || ext is null) return;
        foreach (var (function, start) in placed)
        {
            if (ext.FuncInfos.TryGetValue(function.Section.Name, out var funcs))
                foreach (var info in funcs)
                    if (Translate(info.ByteOffset, function, start) is int offset)
                        spec.FuncInfos.Add(new BtfFuncInfo((uint)offset, info.TypeId));
            if (ext.LineInfos.TryGetValue(function.Section.Name, out var lines))
                foreach (var info in lines)
                    if (Translate(info.ByteOffset, function, start) is int offset)
                        spec.LineInfos.Add(new BtfLineInfo((uint)offset, info.FileNameOffset, info.LineOffset,
                            info.LineColumn >> 10, info.LineColumn & 0x3ff,
                            btf.StringAt(info.FileNameOffset) ?? "", btf.StringAt(info.LineOffset) ?? ""));
            if (ext.CoreRelocations.TryGetValue(function.Section.Name, out var core))
                foreach (var relocation in core)
                    if (Translate(relocation.ByteOffset, function, start) is int offset)
                        spec.CoreRelocations.Add(new CoreRelocation(offset, relocation.TypeId, relocation.AccessString, relocation.Kind));
        }
        // The kernel wants both sorted by instruction; a stable sort keeps clang's order within one instruction.
        var sortedFuncs = spec.FuncInfos.OrderBy(f => f.InstructionOffset).ToList();
        var sortedLines = spec.LineInfos.OrderBy(l => l.InstructionOffset).ToList();
        spec.FuncInfos.Clear();
        spec.FuncInfos.AddRange(sortedFuncs);
        spec.LineInfos.Clear();
        spec.LineInfos.AddRange(sortedLines);
    }

    private static int? Translate(uint byteOffset, ObjectFunction function, int start)
    {
        if (byteOffset % 8 != 0) return null;
        long instruction = byteOffset / 8;
        if (instruction < function.Start || instruction >= function.End) return null;
        return start + (int)(instruction - function.Start);
    }
}
