using Sluice.Tests;

namespace Sluice.Bpf.Object.Tests;

/// <summary>Parsed fixtures, read once per test run (specs are cloned before a test mutates them).</summary>
internal static class Objects
{
    private static readonly Dictionary<string, ObjectSpec> Cache = [];

    public static readonly string[] AllFixtures =
        ["minimal", "globals", "maps", "sections", "xdp_counter", "tc_mark", "verifier_reject", "ringbuf", "btf_kinds", "legacy_maps"];

    public static ObjectSpec Read(string fixture)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(fixture, out var spec)) Cache[fixture] = spec = ObjectReader.Read(Fixture.Path(fixture));
            return spec;
        }
    }

    /// <summary>Index where a program's own code ends and the first appended callee starts.</summary>
    public static int OwnLength(ProgramSpec program) =>
        program.FuncInfos.Count > 1 ? (int)program.FuncInfos[1].InstructionOffset : program.Instructions.Length;

    /// <summary>Index of the instruction a pseudo call at <paramref name="index"/> jumps to.</summary>
    public static int CallTarget(ProgramSpec program, int index) => index + program.Instructions[index].Immediate + 1;

    /// <summary>The name of the function that starts at <paramref name="offset"/> of the linked stream (from func_info).</summary>
    public static string FunctionAt(ObjectSpec spec, ProgramSpec program, int offset)
    {
        foreach (var info in program.FuncInfos)
            if (info.InstructionOffset == offset) return spec.Btf!.TypeById(info.TypeId)!.Name;
        throw new InvalidOperationException($"no function starts at {offset} of {program.Name}");
    }
}
