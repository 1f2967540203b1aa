using Xunit;

namespace Sluice.Bpf.Object.Tests;

/// <summary>CO-RE relocation of core_kernel.bpf.c (and hand-made relocations) against two fixture kernels.</summary>
public sealed class CoreRelocatorTests
{
    private static Dictionary<(CoreRelocationKind, string), CoreResolution> Resolve(string fixture, string program, BtfSpec kernel,
        out ProgramSpec relocated)
    {
        var spec = Objects.Read(fixture);
        relocated = new CoreRelocator(spec.Btf!, kernel).Apply(spec.Program(program), out var resolutions);
        return resolutions.ToDictionary(r => (r.Relocation.Kind, r.Description));
    }

    private static ulong Value(Dictionary<(CoreRelocationKind, string), CoreResolution> results, CoreRelocationKind kind, string what)
    {
        var resolution = results[(kind, what)];
        Assert.False(resolution.IsPoisoned, $"{kind} {what} is poisoned");
        return resolution.TargetValue;
    }

    [Fact]
    public void Every_field_type_and_enum_kind_resolves_against_kernel_a()
    {
        var r = Resolve("core_kernel", "core_answers", CoreFixtureKernels.A(), out var relocated);
        const string task = "struct task_struct___mine";
        Assert.Equal(32ul, Value(r, CoreRelocationKind.FieldByteOffset, task + ".pid"));
        Assert.Equal(16ul, Value(r, CoreRelocationKind.FieldByteSize, task + ".comm"));
        Assert.Equal(1ul, Value(r, CoreRelocationKind.FieldSigned, task + ".prio"));
        Assert.Equal(0ul, Value(r, CoreRelocationKind.FieldExists, task + ".no_such_field"));
        Assert.Equal(1ul, Value(r, CoreRelocationKind.FieldExists, task + ".pid"));
        // pkt_type:3 at bit 40 behind an anonymous union and struct: one byte at offset 5.
        Assert.Equal(61ul, Value(r, CoreRelocationKind.FieldLShiftU64, "struct sk_buff___mine.pkt_type"));
        Assert.Equal(61ul, Value(r, CoreRelocationKind.FieldRShiftU64, "struct sk_buff___mine.pkt_type"));
        Assert.Equal(5ul, Value(r, CoreRelocationKind.FieldByteOffset, "struct sk_buff___mine.pkt_type"));
        Assert.Equal(1ul, Value(r, CoreRelocationKind.FieldByteSize, "struct sk_buff___mine.pkt_type"));
        Assert.Equal(12ul, Value(r, CoreRelocationKind.FieldByteOffset, "struct sock___mine.__sk_common.skc_dport"));
        Assert.Equal(42ul, Value(r, CoreRelocationKind.FieldByteOffset, task + ".comm[2]"));
        var kernel = CoreFixtureKernels.A();
        Assert.Equal(kernel.FindType("task_struct", BtfKind.Struct)!.Id, (uint)Value(r, CoreRelocationKind.TypeIdTarget, task));
        Assert.Equal(64ul, Value(r, CoreRelocationKind.TypeSize, task));
        Assert.Equal(1ul, Value(r, CoreRelocationKind.TypeExists, task));
        Assert.Equal(0ul, Value(r, CoreRelocationKind.TypeExists, "struct struct_nobody_has___mine"));
        Assert.Equal(0ul, Value(r, CoreRelocationKind.EnumValueExists, "enum bpf_map_type___mine::BPF_MAP_TYPE_NOPE___mine"));
        Assert.Equal(1ul, Value(r, CoreRelocationKind.EnumValueExists, "enum bpf_map_type___mine::BPF_MAP_TYPE_RINGBUF___mine"));
        Assert.Equal(27ul, Value(r, CoreRelocationKind.EnumValueValue, "enum bpf_map_type___mine::BPF_MAP_TYPE_RINGBUF___mine"));

        // Every relocated ALU immediate now holds the kernel's answer, and nothing is left to apply.
        foreach (var resolution in r.Values)
            Assert.Equal((int)resolution.TargetValue, relocated.Instructions[resolution.Relocation.InstructionIndex].Immediate);
        Assert.Empty(relocated.CoreRelocations);
        Assert.Empty(relocated.PoisonedInstructions);
        Assert.Equal(18, r.Count);
    }

    [Fact]
    public void Kernel_b_moves_fields_changes_signedness_straddles_a_bitfield_and_lacks_sock()
    {
        var r = Resolve("core_kernel", "core_answers", CoreFixtureKernels.B(), out var relocated);
        const string task = "struct task_struct___mine";
        Assert.Equal(12ul, Value(r, CoreRelocationKind.FieldByteOffset, task + ".pid"));
        Assert.Equal(32ul, Value(r, CoreRelocationKind.FieldByteSize, task + ".comm"));
        Assert.Equal(0ul, Value(r, CoreRelocationKind.FieldSigned, task + ".prio")); // const typedef of unsigned int
        Assert.Equal(18ul, Value(r, CoreRelocationKind.FieldByteOffset, task + ".comm[2]"));
        // pkt_type:3 at bit 14 crosses a byte boundary, then a 2-byte one: libbpf reads 4 bytes at offset 0.
        Assert.Equal(0ul, Value(r, CoreRelocationKind.FieldByteOffset, "struct sk_buff___mine.pkt_type"));
        Assert.Equal(4ul, Value(r, CoreRelocationKind.FieldByteSize, "struct sk_buff___mine.pkt_type"));
        Assert.Equal(47ul, Value(r, CoreRelocationKind.FieldLShiftU64, "struct sk_buff___mine.pkt_type"));
        Assert.Equal(61ul, Value(r, CoreRelocationKind.FieldRShiftU64, "struct sk_buff___mine.pkt_type"));
        Assert.Equal(48ul, Value(r, CoreRelocationKind.TypeSize, task));
        Assert.Equal(99ul, Value(r, CoreRelocationKind.EnumValueValue, "enum bpf_map_type___mine::BPF_MAP_TYPE_RINGBUF___mine")); // enum64

        var missing = r[(CoreRelocationKind.FieldByteOffset, "struct sock___mine.__sk_common.skc_dport")];
        Assert.True(missing.IsPoisoned);
        var poisoned = relocated.Instructions[missing.Relocation.InstructionIndex];
        Assert.True(poisoned.IsHelperCall);
        Assert.Equal(CoreRelocator.PoisonHelperId, poisoned.Immediate);
        var entry = Assert.Single(relocated.PoisonedInstructions);
        Assert.Contains("struct sock___mine.__sk_common.skc_dport", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_offsets_are_patched_and_the_kernel_value_replaces_the_compilers()
    {
        var spec = Objects.Read("btf_kinds");
        var program = spec.Program("core_read");
        int dataEnd = program.CoreRelocations.Single(c => c.AccessString == "0:1").InstructionIndex;
        Assert.Equal(4, program.Instructions[dataEnd].Offset);

        var onA = new CoreRelocator(spec.Btf!, CoreFixtureKernels.A()).Apply(program);
        Assert.Equal(8, onA.Instructions[dataEnd].Offset);
        Assert.Equal(program.Instructions[dataEnd].Opcode, onA.Instructions[dataEnd].Opcode);
        Assert.Equal(4, program.Instructions[dataEnd].Offset); // the spec itself is untouched
        Assert.Equal(4, new CoreRelocator(spec.Btf!, CoreFixtureKernels.B()).Apply(program).Instructions[dataEnd].Offset);
    }

    [Fact]
    public void A_dead_unresolvable_relocation_is_poisoned_not_an_error()
    {
        var r = Resolve("core_kernel", "core_guarded", CoreFixtureKernels.A(), out var relocated);
        Assert.Equal(0ul, r[(CoreRelocationKind.FieldExists, "struct task_struct___mine.no_such_field")].TargetValue);
        Assert.True(r[(CoreRelocationKind.FieldByteOffset, "struct task_struct___mine.no_such_field")].IsPoisoned);
        var poison = Assert.Single(relocated.PoisonedInstructions);
        Assert.Equal(CoreRelocator.PoisonHelperId, poison.HelperId);
        Assert.StartsWith("CO-RE field byte offset relocation of struct task_struct___mine.no_such_field", poison.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Candidates_with_flavours_must_agree_or_the_relocation_is_ambiguous()
    {
        var local = Objects.Read("core_missing");
        var program = local.Program("core_missing");

        var agreeing = new BtfBuilder();
        uint intType = agreeing.Int("int", 4, signed: true);
        agreeing.Struct("task_struct", 8, ("pad", intType, 0, 0), ("no_such_field", intType, 32, 0));
        agreeing.Struct("task_struct___old", 8, ("x", intType, 0, 0), ("no_such_field", intType, 32, 0));
        agreeing.Struct("task_struct___no_field", 4, ("x", intType, 0, 0)); // a candidate without the field is skipped
        var resolution = new CoreRelocator(local.Btf!, BtfSpec.Parse(agreeing.Build(), "agreeing")).Resolve(program, program.CoreRelocations[0]);
        Assert.Equal(4ul, resolution.TargetValue);

        var disagreeing = new BtfBuilder();
        intType = disagreeing.Int("int", 4, signed: true);
        disagreeing.Struct("task_struct", 8, ("pad", intType, 0, 0), ("no_such_field", intType, 32, 0));
        disagreeing.Struct("task_struct___old", 4, ("no_such_field", intType, 0, 0));
        var error = Assert.Throws<BpfCoreRelocationException>(() =>
            new CoreRelocator(local.Btf!, BtfSpec.Parse(disagreeing.Build(), "disagreeing")).Apply(program));
        Assert.Equal(CoreFailureKind.Ambiguous, error.Kind);
        Assert.Contains("program 'core_missing' (core_missing.bpf.c:", error.Message, StringComparison.Ordinal);
        Assert.Contains("struct task_struct___mine.no_such_field", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Type_matches_is_stricter_than_type_exists()
    {
        var local = new BtfBuilder();
        uint intType = local.Int("int", 4, signed: true);
        uint pair = local.Struct("pair___mine", 8, ("a", intType, 0, 0), ("b", intType, 32, 0));
        var localBtf = BtfSpec.Parse(local.Build(), "local");

        var same = new BtfBuilder();
        intType = same.Int("int", 4, signed: true);
        same.Struct("pair", 12, ("a", intType, 0, 0), ("c", intType, 32, 0), ("b", intType, 64, 0));
        var other = new BtfBuilder();
        intType = other.Int("int", 4, signed: true);
        uint unsignedType = other.Int("unsigned int", 4, signed: false);
        other.Struct("pair", 8, ("a", intType, 0, 0), ("b", unsignedType, 32, 0));

        ulong Ask(BtfBuilder kernel, CoreRelocationKind kind)
        {
            var program = new ProgramSpec { Name = "by_hand", SectionName = "xdp", Instructions = [new BpfInstruction { Opcode = 0xb7, Immediate = 1 }] };
            program.CoreRelocations.Add(new CoreRelocation(0, pair, "0", kind));
            return (ulong)new CoreRelocator(localBtf, BtfSpec.Parse(kernel.Build(), "kernel")).Apply(program).Instructions[0].Immediate;
        }
        Assert.Equal(1ul, Ask(same, CoreRelocationKind.TypeMatches));
        Assert.Equal(0ul, Ask(other, CoreRelocationKind.TypeMatches));
        Assert.Equal(1ul, Ask(other, CoreRelocationKind.TypeExists));
    }

    [Fact]
    public void A_malformed_access_string_or_an_unexpected_instruction_is_a_clear_error()
    {
        var spec = Objects.Read("core_missing");
        var program = spec.Program("core_missing").Clone();
        var original = program.CoreRelocations[0];

        program.CoreRelocations[0] = original with { AccessString = "0:9" };
        var error = Assert.Throws<BpfCoreRelocationException>(() => new CoreRelocator(spec.Btf!, CoreFixtureKernels.A()).Apply(program));
        Assert.Equal(CoreFailureKind.InvalidRelocation, error.Kind);
        Assert.Contains("program 'core_missing'", error.Message, StringComparison.Ordinal);
        Assert.Contains("member 9", error.Message, StringComparison.Ordinal);

        var agreeing = new BtfBuilder();
        uint intType = agreeing.Int("int", 4, signed: true);
        agreeing.Struct("task_struct", 8, ("pad", intType, 0, 0), ("no_such_field", intType, 32, 0));
        program.CoreRelocations[0] = original;
        program.Instructions[original.InstructionIndex].Immediate = 77; // the compiler would have put 0 here
        error = Assert.Throws<BpfCoreRelocationException>(() => new CoreRelocator(spec.Btf!, BtfSpec.Parse(agreeing.Build(), "k")).Apply(program));
        Assert.Equal(CoreFailureKind.UnexpectedInstruction, error.Kind);
        Assert.Contains("holds 77, expected 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Local_type_ids_need_no_target()
    {
        var spec = Objects.Read("core_kernel");
        var task = spec.Btf!.FindType("task_struct___mine", BtfKind.Struct)!;
        var program = new ProgramSpec
        {
            Name = "by_hand", SectionName = "xdp",
            Instructions = [new BpfInstruction { Opcode = 0x18, Immediate = (int)task.Id }, new BpfInstruction()],
        };
        program.CoreRelocations.Add(new CoreRelocation(0, task.Id, "0", CoreRelocationKind.TypeIdLocal));
        var relocated = new CoreRelocator(spec.Btf, BtfSpec.Parse(new BtfBuilder().Build(), "empty")).Apply(program);
        Assert.Equal((int)task.Id, relocated.Instructions[0].Immediate);
        Assert.Equal(0, relocated.Instructions[1].Immediate);
    }
}
