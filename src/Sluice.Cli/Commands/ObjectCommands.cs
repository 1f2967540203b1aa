using System.CommandLine;
using System.Text.Json;
using Sluice.Bpf.Object;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice object show|load|check</c>: what an ELF object holds, and loading all of it.</summary>
internal static partial class ObjectCommands
{
    internal static Command Create()
    {
        var command = new Command("object", "Inspect and load BPF ELF objects (clang -target bpf output)");
        command.Subcommands.Add(CreateShow());
        command.Subcommands.Add(CreateLoad());
        command.Subcommands.Add(CreateCheck());
        return command;
    }

    private static Command CreateShow()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "BPF ELF object (.o)" };
        var json = CommonOptions.Json();
        var show = new Command("show", "List the programs (name, section, type) and maps (name, type, sizes, flags) of an object")
        {
            file, json,
        };
        show.SetAction(result => CommandRunner.Run(() =>
        {
            var spec = ReadObject(result.GetValue(file)!);
            if (result.GetValue(json)) WriteShowJson(spec);
            else WriteShowTable(spec);
            return 0;
        }));
        return show;
    }

    internal static ObjectSpec ReadObject(FileInfo file)
    {
        if (!file.Exists) throw new CliError($"{file.FullName}: no such file");
        return ObjectReader.Read(file.FullName);
    }

    private static void WriteShowTable(ObjectSpec spec)
    {
        Console.WriteLine($"object {spec.Name}  license \"{spec.License}\"  btf {(spec.Btf is null ? "no" : "yes")}");
        Console.WriteLine();
        var programs = new TextTable("PROGRAM", "SECTION", "TYPE", "ATTACH", "INSNS");
        foreach (var program in spec.Programs)
        {
            programs.Add(program.Name, program.SectionName, Names.ProgramType(program.Type),
                program.HasExpectedAttachType ? Names.AttachType(program.ExpectedAttachType) : "-", program.Instructions.Length);
        }
        programs.Write(Console.Out);
        Console.WriteLine();
        var maps = new TextTable("MAP", "TYPE", "KEY", "VALUE", "MAX", "FLAGS", "PIN");
        foreach (var map in spec.Maps)
        {
            maps.Add(map.Name, Names.MapType(map.Type), map.KeySize, map.ValueSize, map.MaxEntries, $"0x{map.Flags:x}",
                map.Pinning == PinningType.ByName ? "by-name" : "-");
        }
        maps.Write(Console.Out);
    }

    private static void WriteShowJson(ObjectSpec spec) => JsonOutput.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("name", spec.Name);
        writer.WriteString("license", spec.License);
        writer.WriteBoolean("btf", spec.Btf is not null);
        writer.WriteStartArray("programs");
        foreach (var program in spec.Programs)
        {
            writer.WriteStartObject();
            writer.WriteString("name", program.Name);
            writer.WriteString("section", program.SectionName);
            writer.WriteString("type", Names.ProgramType(program.Type));
            if (program.HasExpectedAttachType) writer.WriteString("expected_attach_type", Names.AttachType(program.ExpectedAttachType));
            else writer.WriteNull("expected_attach_type");
            writer.WriteNumber("insns", program.Instructions.Length);
            writer.WriteNumber("flags", program.Flags);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteStartArray("maps");
        foreach (var map in spec.Maps) WriteMapSpec(writer, map);
        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static void WriteMapSpec(Utf8JsonWriter writer, MapSpec map)
    {
        writer.WriteStartObject();
        writer.WriteString("name", map.Name);
        writer.WriteString("type", Names.MapType(map.Type));
        writer.WriteNumber("key_size", map.KeySize);
        writer.WriteNumber("value_size", map.ValueSize);
        writer.WriteNumber("max_entries", map.MaxEntries);
        writer.WriteNumber("flags", map.Flags);
        writer.WriteString("pinning", map.Pinning == PinningType.ByName ? "by_name" : "none");
        writer.WriteBoolean("global_data", map.Kind == MapSpecKind.GlobalData);
        writer.WriteEndObject();
    }
}
