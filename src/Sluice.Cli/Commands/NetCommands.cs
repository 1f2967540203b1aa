using System.CommandLine;
using System.Text.Json;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice net list|attach|detach</c>: every attachment in one view (XDP, TCX, TC, cgroup, sockmap), and changing them.</summary>
internal static class NetCommands
{
    internal static Command Create()
    {
        var command = new Command("net", "Network attachments: XDP, TC/TCX, cgroup and sockmap programs");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(NetAttachCommands.Create());
        command.Subcommands.Add(NetDetachCommands.Create());
        return command;
    }

    private static Command CreateList()
    {
        var netns = new Option<string?>("--netns") { Description = "Network namespace name (/var/run/netns/NAME) or path" };
        var json = CommonOptions.Json();
        var list = new Command("list", "Every attachment: XDP (mode), TC/TCX (direction, order), cgroup (path, type), sockmap") { netns, json };
        list.SetAction(result => CommandRunner.Run(() =>
        {
            var rows = Collect(result.GetValue(netns));
            if (result.GetValue(json)) WriteJson(rows);
            else WriteTable(rows);
            return 0;
        }));
        return list;
    }

    private sealed record Row(string Hook, string Target, string Detail, uint ProgramId, string ProgramName, uint? LinkId);

    private static List<Row> Collect(string? namespaceName)
    {
        using var netns = NamespaceResolver.OpenOptional(namespaceName);
        var rows = new List<Row>();
        foreach (var a in NetAttachments.List(netns))
        {
            string detail = a.Hook switch
            {
                NetHook.Xdp => $"mode {a.XdpMode?.ToString().ToLowerInvariant() ?? "-"}",
                NetHook.Tcx => $"{a.Direction?.ToString().ToLowerInvariant()} position {a.Position}",
                _ => $"{a.Direction?.ToString().ToLowerInvariant()} pref {a.Priority} handle 0x{a.Handle:x}",
            };
            rows.Add(new Row(a.Hook.ToString().ToLowerInvariant(), a.InterfaceName, detail, a.ProgramId, a.ProgramName, a.LinkId));
        }
        // cgroups and socket maps are not per network namespace: list them only for the caller's own view.
        if (namespaceName is null)
        {
            foreach (var c in Cgroup.ListAll())
                rows.Add(new Row("cgroup", c.CgroupPath, Names.AttachType(c.AttachType), c.ProgramId, c.ProgramName, null));
            foreach (var s in Sockmap.ListAll())
                rows.Add(new Row("sockmap", $"{s.MapName} (map {s.MapId})", Names.AttachType(s.AttachType), s.ProgramId, s.ProgramName, s.LinkId));
        }
        return rows;
    }

    private static void WriteTable(List<Row> rows)
    {
        var table = new TextTable("HOOK", "TARGET", "DETAIL", "PROG_ID", "PROG_NAME", "LINK_ID");
        foreach (var r in rows) table.Add(r.Hook, r.Target, r.Detail, r.ProgramId, r.ProgramName.Length == 0 ? "-" : r.ProgramName, r.LinkId);
        table.Write(Console.Out);
    }

    private static void WriteJson(List<Row> rows) => JsonOutput.Write(writer =>
    {
        writer.WriteStartArray();
        foreach (var r in rows)
        {
            writer.WriteStartObject();
            writer.WriteString("hook", r.Hook);
            writer.WriteString("target", r.Target);
            writer.WriteString("detail", r.Detail);
            writer.WriteNumber("prog_id", r.ProgramId);
            writer.WriteString("prog_name", r.ProgramName);
            if (r.LinkId is { } link) writer.WriteNumber("link_id", link);
            else writer.WriteNull("link_id");
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    });
}
