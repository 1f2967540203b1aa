using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice link list|show|detach|attach</c>: every bpf_link in the system, tracing included (like bpftool link).</summary>
internal static partial class LinkCommands
{
    internal static Command Create()
    {
        var command = new Command("link", "Every bpf_link in the system: list, show, detach; attach a tracing program");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateShow());
        command.Subcommands.Add(CreateDetach());
        command.Subcommands.Add(CreateAttach());
        return command;
    }

    private static Command CreateList()
    {
        var json = CommonOptions.Json();
        var list = new Command("list", "List every bpf_link (id, type, program, attach type, target)") { json };
        list.SetAction(result => CommandRunner.Run(() =>
        {
            Write([.. BpfLinkInfo.All()], result.GetValue(json));
            return 0;
        }));
        return list;
    }

    private static Command CreateShow()
    {
        var target = new Argument<string>("LINK") { Description = "Link id or pinned path" };
        var json = CommonOptions.Json();
        var show = new Command("show", "Show one bpf_link") { target, json };
        show.SetAction(result => CommandRunner.Run(() =>
        {
            Write([Resolve(result.GetValue(target)!)], result.GetValue(json));
            return 0;
        }));
        return show;
    }

    private static Command CreateDetach()
    {
        var target = new Argument<string>("LINK") { Description = "Link id or pinned path" };
        var detach = new Command("detach", "Detach a bpf_link now (and remove its pin when given a path)") { target };
        detach.SetAction(result => CommandRunner.Run(() => NetDetachCommands.DetachLink(result.GetValue(target)!)));
        return detach;
    }

    private static BpfLinkInfo Resolve(string text)
    {
        if (uint.TryParse(text.StartsWith("id:", StringComparison.Ordinal) ? text[3..] : text, NumberStyles.None, CultureInfo.InvariantCulture, out uint id))
            return BpfLinkInfo.FromId(id) ?? throw new CliError($"no link with id {id}");
        if (!File.Exists(text)) throw new CliError($"{text}: no such pinned link");
        using var link = BpfLink.OpenPinned(text);
        return link.GetInfo();
    }

    private static void Write(IReadOnlyList<BpfLinkInfo> links, bool json)
    {
        if (json)
        {
            JsonOutput.Write(writer =>
            {
                writer.WriteStartArray();
                foreach (var link in links) WriteLink(writer, link);
                writer.WriteEndArray();
            });
            return;
        }
        var table = new TextTable("ID", "TYPE", "PROG", "ATTACH", "TARGET");
        foreach (var link in links)
        {
            table.Add(link.Id, Names.LinkType(link.Type), link.ProgramId == 0 ? "-" : link.ProgramId,
                link.AttachType is { } attach ? Names.AttachType(attach) : "-", LinkTargets.Describe(link) ?? "-");
        }
        table.Write(Console.Out);
    }

    private static void WriteLink(Utf8JsonWriter writer, BpfLinkInfo link)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", link.Id);
        writer.WriteString("type", Names.LinkType(link.Type));
        writer.WriteNumber("prog_id", link.ProgramId);
        if (link.AttachType is { } attach) writer.WriteString("attach_type", Names.AttachType(attach));
        if (link.IfIndex != 0) writer.WriteNumber("ifindex", link.IfIndex);
        if (link.TargetName is { } name) writer.WriteString(link.Type == Bpf.BpfLinkType.RawTracepoint ? "tp_name" : "target_name", name);
        if (link.Type == BpfLinkType.Tracing)
        {
            writer.WriteNumber("target_obj_id", link.TargetObjectId);
            writer.WriteNumber("target_btf_id", link.TargetBtfId);
        }
        if (link.Type == BpfLinkType.Cgroup) writer.WriteNumber("cgroup_id", link.CgroupId);
        if (link.Type == BpfLinkType.Netns) writer.WriteNumber("netns_ino", link.NetnsInode);
        if (link.MapId != 0) writer.WriteNumber("map_id", link.MapId);
        if (link.PerfEventKind != PerfEventLinkKind.Unspecified)
        {
            writer.WriteString("event_type", Names.Snake(link.PerfEventKind.ToString()));
            if (link.ProbeOffset != 0) writer.WriteNumber("offset", link.ProbeOffset);
        }
        if (LinkTargets.Describe(link) is { } target) writer.WriteString("target", target);
        writer.WriteEndObject();
    }
}
