using System.Runtime.InteropServices;
using Sluice.Bpf.Object.Elf;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Object.Tests;

public class LinkingTests
{
    private static List<(int At, string Callee)> Calls(ObjectSpec spec, ProgramSpec program)
    {
        var calls = new List<(int, string)>();
        for (int i = 0; i < program.Instructions.Length; i++)
        {
            if (!program.Instructions[i].IsPseudoCall) continue;
            int target = Objects.CallTarget(program, i);
            Assert.InRange(target, 0, program.Instructions.Length - 1);
            calls.Add((i, Objects.FunctionAt(spec, program, target)));
        }
        return calls;
    }

    [Fact]
    public void Xdp_program_gets_every_reachable_text_function_appended_once()
    {
        var spec = Objects.Read("globals");
        var program = spec.Program("xdp_globals");
        Assert.Equal(["count_packet", "should_drop", "xdp_verdict"], Calls(spec, program).Select(c => c.Callee));
        Assert.Equal(["xdp_globals", "count_packet", "should_drop", "xdp_verdict"],
            program.FuncInfos.Select(f => spec.Btf!.TypeById(f.TypeId)!.Name));
        Assert.Equal(0u, program.FuncInfos[0].InstructionOffset);
    }

    [Fact]
    public void Tc_program_gets_only_the_functions_it_calls()
    {
        var spec = Objects.Read("globals");
        var program = spec.Program("tc_globals");
        Assert.Equal(["count_packet", "should_drop"], Calls(spec, program).Select(c => c.Callee));
        Assert.Equal(3, program.FuncInfos.Count);
    }

    [Fact]
    public void Call_to_a_function_in_the_same_section_is_appended_too()
    {
        var spec = Objects.Read("globals");
        var program = spec.Program("xdp_second");
        var call = Assert.Single(Calls(spec, program));
        Assert.Equal("xdp_same_section_helper", call.Callee);
        // The helper is a program of its own as well, with the same code.
        var helper = spec.Program("xdp_same_section_helper");
        int start = Objects.CallTarget(program, call.At);
        Assert.Equal(helper.Instructions.Length, program.Instructions.Length - start);
    }

    [Fact]
    public void Programs_without_calls_have_no_appended_code()
    {
        var spec = Objects.Read("globals");
        var program = spec.Program("socket_globals");
        Assert.Single(program.FuncInfos);
        Assert.DoesNotContain(program.Instructions, i => i.IsPseudoCall);
    }

    [Fact]
    public void Appended_code_equals_the_callee_in_text_apart_from_relocated_immediates()
    {
        var bytes = Fixture.Bytes("globals");
        var elf = new ElfFile(bytes, "globals.bpf.o");
        var text = elf.FindSection(".text")!;
        var textCode = MemoryMarshal.Cast<byte, BpfInstruction>(elf.Data(text)).ToArray();
        var symbol = elf.Symbols.Single(s => s.Name == "should_drop");

        var spec = Objects.Read("globals");
        var program = spec.Program("xdp_globals");
        int start = (int)program.FuncInfos.Single(f => spec.Btf!.TypeById(f.TypeId)!.Name == "should_drop").InstructionOffset;
        int length = (int)(symbol.Size / 8);
        for (int i = 0; i < length; i++)
        {
            var expected = textCode[(int)(symbol.Value / 8) + i];
            var actual = program.Instructions[start + i];
            Assert.Equal(expected.Opcode, actual.Opcode);
            Assert.Equal(expected.DestinationRegister, actual.DestinationRegister);
            Assert.Equal(expected.Offset, actual.Offset);
        }
    }

    [Fact]
    public void Line_info_is_sorted_inside_the_stream_and_covers_every_function_start()
    {
        foreach (var fixture in Objects.AllFixtures)
        {
            var spec = Objects.Read(fixture);
            foreach (var program in spec.Programs)
            {
                var offsets = program.LineInfos.Select(l => l.InstructionOffset).ToList();
                Assert.Equal(offsets.Order().ToList(), offsets);
                Assert.All(offsets, o => Assert.InRange(o, 0u, (uint)program.Instructions.Length - 1));
                foreach (var function in program.FuncInfos)
                    Assert.Contains(function.InstructionOffset, offsets);
                Assert.All(program.LineInfos, l => Assert.EndsWith($"{fixture}.bpf.c", l.FileName));
            }
        }
    }

    [Fact]
    public void Func_info_names_the_btf_function_at_each_offset()
    {
        foreach (var fixture in Objects.AllFixtures)
        {
            var spec = Objects.Read(fixture);
            foreach (var program in spec.Programs)
            {
                Assert.NotEmpty(program.FuncInfos);
                Assert.Equal(0u, program.FuncInfos[0].InstructionOffset);
                Assert.Equal(program.Name, spec.Btf!.TypeById(program.FuncInfos[0].TypeId)!.Name);
                Assert.All(program.FuncInfos, f => Assert.Equal(BtfKind.Function, spec.Btf.TypeById(f.TypeId)!.Kind));
                var offsets = program.FuncInfos.Select(f => f.InstructionOffset).ToList();
                Assert.Equal(offsets.Distinct().Order().ToList(), offsets);
            }
        }
    }

    [Fact]
    public void Map_references_point_at_ld_imm64_and_existing_maps()
    {
        foreach (var fixture in Objects.AllFixtures)
        {
            var spec = Objects.Read(fixture);
            foreach (var program in spec.Programs)
            {
                foreach (var reference in program.MapReferences)
                {
                    Assert.True(program.Instructions[reference.InstructionIndex].IsLoadImmediate64);
                    var map = spec.Map(reference.MapName);
                    if (reference.Kind == MapReferenceKind.Value)
                    {
                        Assert.Equal(MapSpecKind.GlobalData, map.Kind);
                        Assert.InRange(reference.Offset, 0u, map.ValueSize - 1);
                        Assert.Equal((int)reference.Offset, program.Instructions[reference.InstructionIndex + 1].Immediate);
                    }
                    else
                    {
                        Assert.Equal(MapSpecKind.Declared, map.Kind);
                    }
                }
                Assert.Equal(program.MapReferences.Count, program.MapReferences.Select(r => r.InstructionIndex).Distinct().Count());
            }
        }
    }

    [Fact]
    public void Global_data_references_carry_the_variable_offset()
    {
        var spec = Objects.Read("globals");
        // Every ld_imm64 in globals refers to global data.
        Assert.All(spec.Programs, p => Assert.Equal(p.Instructions.Count(i => i.IsLoadImmediate64), p.MapReferences.Count));
        var program = spec.Program("xdp_globals");
        var rodata = program.MapReferences.Where(r => r.MapName == ".rodata").Select(r => r.Offset).Order().ToList();
        Assert.Equal([0u, 8u, 16u], rodata); // drop_protocol, packet_limit, verbose
        Assert.Contains(program.MapReferences, r => r.MapName == ".data.stats" && r.Offset == 0);
        Assert.Contains(spec.Program("socket_globals").MapReferences, r => r.MapName == ".bss" && r.Offset == 8);
    }

    [Fact]
    public void Callback_address_becomes_a_pseudo_func_load_of_the_appended_function()
    {
        var spec = Objects.Read("btf_kinds");
        var program = spec.Program("btf_kinds");
        int load = Array.FindIndex(program.Instructions, i => i.IsLoadImmediate64 && i.SourceRegister == 4);
        Assert.True(load >= 0, "no BPF_PSEUDO_FUNC load");
        int target = load + program.Instructions[load].Immediate + 1;
        Assert.Equal("loop_body", Objects.FunctionAt(spec, program, target));
        Assert.Equal(0, program.Instructions[load + 1].Immediate);
        Assert.DoesNotContain(program.MapReferences, r => r.InstructionIndex == load);
    }

    [Fact]
    public void Core_relocations_are_listed_not_applied()
    {
        var spec = Objects.Read("btf_kinds");
        var program = spec.Program("core_read");
        Assert.Equal(2, program.CoreRelocationCount);
        Assert.Equal(["0:0", "0:1"], program.CoreRelocations.Select(c => c.AccessString).Order());
        Assert.All(program.CoreRelocations, c => Assert.Equal(CoreRelocationKind.FieldByteOffset, c.Kind));
        Assert.Equal(4, program.Instructions[1].Offset); // data_end keeps the compiler's offset
        Assert.Equal(0, spec.Program("btf_kinds").CoreRelocationCount);
        Assert.All(Objects.Read("globals").Programs, p => Assert.Equal(0, p.CoreRelocationCount));
    }

    [Fact]
    public void Jumps_stay_inside_their_function_in_the_linked_stream()
    {
        foreach (var fixture in Objects.AllFixtures)
        {
            foreach (var program in Objects.Read(fixture).Programs)
            {
                var starts = program.FuncInfos.Select(f => (int)f.InstructionOffset).Append(program.Instructions.Length).ToArray();
                for (int f = 0; f + 1 < starts.Length; f++)
                {
                    for (int i = starts[f]; i < starts[f + 1]; i++)
                    {
                        var instruction = program.Instructions[i];
                        int instructionClass = instruction.Opcode & 0x07;
                        bool isJump = instructionClass is 0x05 or 0x06 && !instruction.IsExit && (instruction.Opcode & 0xf0) != 0x80;
                        if (!isJump) continue;
                        Assert.InRange(i + instruction.Offset + 1, starts[f], starts[f + 1] - 1);
                    }
                }
            }
        }
    }
}
