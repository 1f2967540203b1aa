using System.CommandLine;
using System.Text.Json;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice prog list|show|run</c>: loaded programs and BPF_PROG_TEST_RUN.</summary>
internal static partial class ProgCommands
{
    internal static Command Create()
    {
        var command = new Command("prog", "Loaded BPF programs: list, show, test-run, dump");
        command.Subcommands.Add(CreateList("list"));
        command.Subcommands.Add(CreateShow());
        command.Subcommands.Add(CreateRun());
        command.Subcommands.Add(CreateDump());
        return command;
    }

    private static Command CreateList(string name)
    {
        var json = CommonOptions.Json();
        var list = new Command(name, "List every loaded program (id, type, name, tag, maps, run time/count)") { json };
        list.SetAction(result => CommandRunner.Run(() =>
        {
            WritePrograms(BpfProgramInfo.All().ToList(), result.GetValue(json));
            return 0;
        }));
        return list;
    }

    private static Command CreateShow()
    {
        var target = new Argument<string>("PROG") { Description = "Program id, pinned path, or name" };
        var json = CommonOptions.Json();
        var show = new Command("show", "Show one program (by id, pinned path or name)") { target, json };
        show.SetAction(result => CommandRunner.Run(() =>
        {
            var infos = ProgramResolver.Resolve(result.GetValue(target)!);
            WritePrograms(infos, result.GetValue(json));
            return 0;
        }));
        return show;
    }

    internal static void WritePrograms(IReadOnlyList<BpfProgramInfo> programs, bool json)
    {
        if (json)
        {
            JsonOutput.Write(writer =>
            {
                writer.WriteStartArray();
                foreach (var program in programs) WriteProgram(writer, program);
                writer.WriteEndArray();
            });
            return;
        }
        var table = new TextTable("ID", "TYPE", "NAME", "TAG", "MAPS", "RUN_NS", "RUN_CNT", "LOADED");
        foreach (var p in programs)
        {
            table.Add(p.Id, Names.ProgramType(p.Type), p.Name.Length == 0 ? "-" : p.Name, p.Tag,
                p.MapIds.Count == 0 ? "-" : string.Join(',', p.MapIds), p.RunTimeNanoseconds, p.RunCount,
                p.LoadTime.ToLocalTime().ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        }
        table.Write(Console.Out);
    }

    private static void WriteProgram(Utf8JsonWriter writer, BpfProgramInfo p)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", p.Id);
        writer.WriteString("type", Names.ProgramType(p.Type));
        writer.WriteString("name", p.Name);
        writer.WriteString("tag", p.Tag);
        writer.WriteBoolean("gpl_compatible", p.GplCompatible);
        writer.WriteString("loaded_at", p.LoadTime);
        writer.WriteNumber("uid", p.CreatedByUid);
        writer.WriteNumber("bytes_xlated", p.XlatedSize);
        writer.WriteNumber("bytes_jited", p.JitedSize);
        writer.WriteNumber("btf_id", p.BtfId);
        writer.WriteNumber("run_time_ns", p.RunTimeNanoseconds);
        writer.WriteNumber("run_cnt", p.RunCount);
        writer.WriteNumber("verified_insns", p.VerifiedInstructions);
        writer.WriteStartArray("map_ids");
        foreach (var id in p.MapIds) writer.WriteNumberValue(id);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
