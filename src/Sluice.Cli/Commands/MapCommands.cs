using System.CommandLine;
using System.Text.Json;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice map list|show|dump|lookup|update|delete</c>.</summary>
internal static partial class MapCommands
{
    internal static Command Create()
    {
        var command = new Command("map", "Loaded BPF maps: list, show, dump, lookup, update, delete");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateShow());
        command.Subcommands.Add(CreateDump());
        command.Subcommands.Add(CreateLookup());
        command.Subcommands.Add(CreateUpdate());
        command.Subcommands.Add(CreateDelete());
        return command;
    }

    private static Argument<string> MapArgument() => new("MAP") { Description = "Map id, pinned path, or name" };

    private static Command CreateList()
    {
        var json = CommonOptions.Json();
        var list = new Command("list", "List every loaded map (id, type, name, sizes, max entries, flags)") { json };
        list.SetAction(result => CommandRunner.Run(() =>
        {
            WriteMaps(BpfMapInfo.All().ToList(), result.GetValue(json));
            return 0;
        }));
        return list;
    }

    private static Command CreateShow()
    {
        var target = MapArgument();
        var json = CommonOptions.Json();
        var show = new Command("show", "Show one map") { target, json };
        show.SetAction(result => CommandRunner.Run(() =>
        {
            using var map = MapResolver.Open(result.GetValue(target)!);
            WriteMaps([map.GetInfo()], result.GetValue(json));
            return 0;
        }));
        return show;
    }

    private static void WriteMaps(IReadOnlyList<BpfMapInfo> maps, bool json)
    {
        if (json)
        {
            JsonOutput.Write(writer =>
            {
                writer.WriteStartArray();
                foreach (var map in maps) WriteMap(writer, map);
                writer.WriteEndArray();
            });
            return;
        }
        var table = new TextTable("ID", "TYPE", "NAME", "KEY", "VALUE", "MAX", "FLAGS", "FROZEN");
        foreach (var m in maps)
        {
            table.Add(m.Id, Names.MapType(m.Type), m.Name.Length == 0 ? "-" : m.Name, m.KeySize, m.ValueSize, m.MaxEntries,
                $"0x{m.Flags:x}", m.IsFrozen switch { true => "yes", false => "no", null => "-" });
        }
        table.Write(Console.Out);
    }

    private static void WriteMap(Utf8JsonWriter writer, BpfMapInfo m)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", m.Id);
        writer.WriteString("type", Names.MapType(m.Type));
        writer.WriteString("name", m.Name);
        writer.WriteNumber("bytes_key", m.KeySize);
        writer.WriteNumber("bytes_value", m.ValueSize);
        writer.WriteNumber("max_entries", m.MaxEntries);
        writer.WriteNumber("flags", m.Flags);
        writer.WriteNumber("btf_id", m.BtfId);
        if (m.IsFrozen is { } frozen) writer.WriteBoolean("frozen", frozen);
        writer.WriteEndObject();
    }
}
