using System.CommandLine;
using System.Globalization;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice net detach xdp|tc|link|cgroup|sockmap</c>: undoes `net attach`; detaching nothing is an error (exit 1).</summary>
internal static class NetDetachCommands
{
    internal static Command Create()
    {
        var command = new Command("detach", "Detach programs from XDP, TC, a pinned or numbered bpf_link, a cgroup or a socket map");
        command.Subcommands.Add(CreateXdp());
        command.Subcommands.Add(CreateTc());
        command.Subcommands.Add(CreateLink());
        command.Subcommands.Add(CreateCgroup());
        command.Subcommands.Add(CreateSockmap());
        return command;
    }

    private static Command CreateXdp()
    {
        var device = NetOptions.Device();
        var mode = NetOptions.XdpMode("Only this mode: native, generic or offload (default: every mode)");
        var netns = NetOptions.Netns();
        var xdp = new Command("xdp", "Detach the netlink-attached XDP program(s) of an interface (a bpf_link's: `net detach link`)") { device, mode, netns };
        xdp.SetAction(result => CommandRunner.Run(() =>
        {
            string dev = result.GetValue(device)!;
            var xdpMode = NetOptions.ParseXdpMode(result.GetValue(mode));
            using var ns = NamespaceResolver.OpenOptional(result.GetValue(netns));
            string where = AttachReport.Interface(dev, result.GetValue(netns));
            if (!Xdp.Detach(dev, xdpMode, ns))
                throw new CliError($"no XDP program attached to {where}" + (xdpMode == XdpMode.BestAvailable ? "" : $" in {result.GetValue(mode)} mode"));
            Console.WriteLine($"detached XDP from {where}");
            return 0;
        }));
        return xdp;
    }

    private static Command CreateTc()
    {
        var device = NetOptions.Device();
        var direction = NetOptions.Direction();
        var priority = new Option<ushort>("--priority") { Description = "Filter priority (default 1)", DefaultValueFactory = _ => 1 };
        var handle = new Option<uint>("--handle") { Description = "Filter handle (default 1)", DefaultValueFactory = _ => 1 };
        var netns = NetOptions.Netns();
        var tc = new Command("tc", "Delete a cls_bpf filter by priority and handle (TCX programs: `net detach link`)") { device, direction, priority, handle, netns };
        tc.SetAction(result => CommandRunner.Run(() =>
        {
            string dev = result.GetValue(device)!;
            var dir = NetOptions.ParseDirection(result.GetValue(direction)!);
            ushort prio = result.GetValue(priority);
            uint filterHandle = result.GetValue(handle);
            using var ns = NamespaceResolver.OpenOptional(result.GetValue(netns));
            string where = $"TC {dir.ToString().ToLowerInvariant()} of {AttachReport.Interface(dev, result.GetValue(netns))}";
            if (!Tc.DetachFilter(dev, dir, prio, filterHandle, ns))
                throw new CliError($"no filter at priority {prio} handle 0x{filterHandle:x} on {where}");
            Console.WriteLine($"detached the filter at priority {prio} handle 0x{filterHandle:x} from {where}");
            return 0;
        }));
        return tc;
    }

    private static Command CreateLink()
    {
        var target = new Argument<string>("LINK") { Description = "Pinned link path or link id" };
        var link = new Command("link", "Detach a bpf_link (XDP, TCX, cgroup, sockmap) now and remove its pin") { target };
        link.SetAction(result => CommandRunner.Run(() => DetachLink(result.GetValue(target)!)));
        return link;
    }

    /// <summary>Detaches the link at a pin or with an id and removes that pin (`net detach link`, `link detach`).</summary>
    internal static int DetachLink(string text)
    {
        bool byId = uint.TryParse(text.StartsWith("id:", StringComparison.Ordinal) ? text[3..] : text, NumberStyles.None, CultureInfo.InvariantCulture, out uint id);
        if (!byId && !File.Exists(text)) throw new CliError($"{text}: no such pinned link");
        using var bpfLink = byId ? OpenById(id) : BpfLink.OpenPinned(text);
        try
        {
            // Detach first: other pins or fds may still hold the link, and the program must stop now regardless.
            bpfLink.Detach();
        }
        catch (BpfNotSupportedException) when (!byId)
        {
            // Perf event and raw tracepoint links cannot be forced off; removing the pin releases them when no
            // other process holds them.
            bpfLink.Unpin();
            Console.WriteLine($"removed {text}: link {bpfLink.Id} ({Names.LinkType(bpfLink.Type)}) cannot be detached while held, " +
                "so it goes away once no other pin or process holds it");
            return 0;
        }
        if (!byId) bpfLink.Unpin();
        Console.WriteLine($"detached link {bpfLink.Id} ({bpfLink.Type})" + (byId ? "" : $" and removed {text}"));
        return 0;
    }

    private static BpfLink OpenById(uint id)
    {
        if (!BpfLinkInfo.All().Any(l => l.Id == id)) throw new CliError($"no link with id {id}");
        return BpfLink.FromId(id);
    }

    private static Command CreateCgroup()
    {
        var path = new Argument<string>("CGROUP") { Description = "cgroup v2 directory" };
        var program = NetOptions.Program();
        var type = new Option<string>("--type") { Description = "Hook: " + AttachTypeNames.CgroupChoices, Required = true };
        var cgroup = new Command("cgroup", "Detach a program attached with BPF_PROG_ATTACH (linked ones: `net detach link`)") { path, program, type };
        cgroup.SetAction(result => CommandRunner.Run(() =>
        {
            string cgroupPath = NetAttachCommands.CheckCgroup(result.GetValue(path)!);
            var attachType = AttachTypeNames.Cgroup(result.GetValue(type)!);
            using var prog = ProgramResolver.Open(result.GetValue(program)!);
            if (!Cgroup.Detach(prog.Fd, cgroupPath, attachType))
                throw new CliError($"program {Describe(prog)} is not attached to cgroup '{cgroupPath}' {Names.AttachType(attachType)} with BPF_PROG_ATTACH" +
                    LinkHint(prog, BpfLinkType.Cgroup));
            Console.WriteLine($"detached program {Describe(prog)} from cgroup '{cgroupPath}' {Names.AttachType(attachType)}");
            return 0;
        }));
        return cgroup;
    }

    private static Command CreateSockmap()
    {
        var map = new Argument<string>("MAP") { Description = "SOCKMAP or SOCKHASH: id, pinned path or name" };
        var program = NetOptions.Program();
        var type = new Option<string>("--type") { Description = "Hook: " + AttachTypeNames.SockmapChoices, Required = true };
        var sockmap = new Command("sockmap", "Detach an sk_msg/sk_skb program from a socket map") { map, program, type };
        sockmap.SetAction(result => CommandRunner.Run(() =>
        {
            var attachType = AttachTypeNames.Sockmap(result.GetValue(type)!);
            using var socketMap = MapResolver.Open(result.GetValue(map)!);
            MapResolver.EnsureSocketMap(socketMap);
            using var prog = ProgramResolver.Open(result.GetValue(program)!);
            if (!Sockmap.Detach(prog.Fd, socketMap, attachType))
                throw new CliError($"program {Describe(prog)} is not attached to socket map '{socketMap.Name}' {Names.AttachType(attachType)}" +
                    LinkHint(prog, BpfLinkType.Sockmap));
            Console.WriteLine($"detached program {Describe(prog)} from socket map '{socketMap.Name}' {Names.AttachType(attachType)}");
            return 0;
        }));
        return sockmap;
    }

    private static string Describe(BpfProgram program)
    {
        var info = BpfProgramInfo.FromFd(program.Fd);
        return info.Name.Length == 0 ? $"{info.Id}" : $"{info.Id} '{info.Name}'";
    }

    /// <summary>BPF_PROG_DETACH cannot release a linked program; point at the link that holds it.</summary>
    private static string LinkHint(BpfProgram program, BpfLinkType type)
    {
        uint id = BpfProgramInfo.FromFd(program.Fd).Id;
        var link = BpfLinkInfo.All().FirstOrDefault(l => l.Type == type && l.ProgramId == id);
        return link is null ? "" : $"; it is held by link {link.Id}: use `sluice net detach link {link.Id}`";
    }
}
