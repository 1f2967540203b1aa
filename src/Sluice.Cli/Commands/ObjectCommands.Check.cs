using System.CommandLine;
using Sluice.Bpf.Features;
using Sluice.Bpf.Object;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

// sluice object check: would this object load here? Probes the kernel for every program type, map type and
// helper the object uses, without loading the object itself.
internal static partial class ObjectCommands
{
    private sealed record CheckRow(string Kind, string Name, string What, FeatureSupport Support);

    private static Command CreateCheck()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "BPF ELF object (.o)" };
        var btf = BtfOption();
        var json = CommonOptions.Json();
        var check = new Command("check",
            "Check that this kernel supports every program type, map type and helper the object uses, and that its CO-RE " +
            "relocations resolve against the kernel's BTF (exit 1 if not)")
        {
            file, btf, json,
        };
        check.SetAction(result => CommandRunner.Run(() =>
        {
            var spec = ReadObject(result.GetValue(file)!);
            var rows = Check(spec);
            rows.AddRange(CheckCoreRelocations(spec, KernelBtfPath(result.GetValue(btf))));
            bool supported = rows.TrueForAll(r => r.Support != FeatureSupport.Unsupported);
            if (result.GetValue(json)) WriteCheckJson(rows, supported);
            else
            {
                var table = new TextTable("KIND", "NAME", "NEEDS", "SUPPORT");
                foreach (var row in rows) table.Add(row.Kind, row.Name, row.What, Support(row.Support));
                table.Write(Console.Out);
                Console.WriteLine();
                Console.WriteLine(supported ? "every feature the object uses is supported by this kernel"
                    : $"{rows.Count(r => r.Support == FeatureSupport.Unsupported)} feature(s) the object uses are not supported by this kernel");
            }
            return supported ? 0 : CommandRunner.Failure;
        }));
        return check;
    }

    private static List<CheckRow> Check(ObjectSpec spec)
    {
        var rows = new List<CheckRow>();
        foreach (var program in spec.Programs)
        {
            BpfAttachType? attach = program.HasExpectedAttachType ? program.ExpectedAttachType : null;
            rows.Add(new CheckRow("program", program.Name, "type " + Names.ProgramType(program.Type), BpfFeatures.ProgramType(program.Type, attach)));
            foreach (int helper in HelperCalls(program))
                rows.Add(new CheckRow("program", program.Name, "helper " + BpfHelperNames.Of(helper), BpfFeatures.Helper(program.Type, helper, attach)));
        }
        foreach (var map in spec.Maps)
            rows.Add(new CheckRow("map", map.Name, "type " + Names.MapType(map.Type), BpfFeatures.MapType(map.Type)));
        return rows;
    }

    /// <summary>
    /// One row per CO-RE relocation: resolved (supported), unresolved (unknown: the program fails only if that
    /// instruction is reachable), or refused outright (unsupported: malformed or ambiguous).
    /// </summary>
    private static List<CheckRow> CheckCoreRelocations(ObjectSpec spec, string? kernelBtf)
    {
        var rows = new List<CheckRow>();
        var programs = spec.Programs.Where(p => p.CoreRelocations.Count > 0).ToList();
        if (programs.Count == 0 || spec.Btf is null) return rows;
        if (kernelBtf is null && !Sluice.Bpf.KernelBtf.IsAvailable)
        {
            foreach (var program in programs)
                rows.Add(new CheckRow("program", program.Name, $"kernel BTF for {program.CoreRelocations.Count} CO-RE relocations", FeatureSupport.Unsupported));
            return rows;
        }
        var relocator = new CoreRelocator(spec.Btf, Sluice.Bpf.KernelBtf.SearchOrder(kernelBtf));
        foreach (var program in programs)
            foreach (var relocation in program.CoreRelocations)
            {
                try
                {
                    var resolution = relocator.Resolve(program, relocation);
                    rows.Add(new CheckRow("program", program.Name, $"CO-RE {CoreRelocator.Words(relocation.Kind)} {resolution.Description}",
                        resolution.IsPoisoned ? FeatureSupport.Unknown : FeatureSupport.Supported));
                }
                catch (BpfCoreRelocationException error)
                {
                    rows.Add(new CheckRow("program", program.Name, $"CO-RE {CoreRelocator.Words(relocation.Kind)} ({error.Message})", FeatureSupport.Unsupported));
                }
            }
        return rows;
    }

    /// <summary>Distinct helper ids called by the program, in order of first call (skipping ld_imm64's second half).</summary>
    private static List<int> HelperCalls(ProgramSpec program)
    {
        var helpers = new List<int>();
        var instructions = program.Instructions;
        for (int i = 0; i < instructions.Length; i++)
        {
            if (instructions[i].IsLoadImmediate64) { i++; continue; }
            if (instructions[i].IsHelperCall && !helpers.Contains(instructions[i].Immediate)) helpers.Add(instructions[i].Immediate);
        }
        return helpers;
    }

    private static string Support(FeatureSupport support) => support switch
    {
        FeatureSupport.Supported => "yes",
        FeatureSupport.Unsupported => "NO",
        _ => "unknown",
    };

    private static void WriteCheckJson(List<CheckRow> rows, bool supported) => JsonOutput.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteBoolean("supported", supported);
        writer.WriteStartArray("checks");
        foreach (var row in rows)
        {
            writer.WriteStartObject();
            writer.WriteString("kind", row.Kind);
            writer.WriteString("name", row.Name);
            writer.WriteString("needs", row.What);
            writer.WriteString("support", Support(row.Support) switch { "yes" => "supported", "NO" => "unsupported", _ => "unknown" });
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    });
}
