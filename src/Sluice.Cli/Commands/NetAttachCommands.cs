using System.CommandLine;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice net attach xdp|tc|tcx|cgroup|sockmap</c>. The CLI exits right after attaching, so every attachment it
/// makes must outlive the process: either a bpf_link pinned on bpffs (--pin-link) or a kernel mechanism that keeps the
/// program with nobody holding it (netlink XDP, cls_bpf filters, BPF_PROG_ATTACH) with DetachOnDispose cleared.
/// </summary>
internal static partial class NetAttachCommands
{
    internal static Command Create()
    {
        var command = new Command("attach", "Attach a pinned or loaded program to XDP, TC, TCX, a cgroup or a socket map; it stays after sluice exits");
        command.Subcommands.Add(CreateXdp());
        command.Subcommands.Add(CreateTc());
        command.Subcommands.Add(CreateTcx());
        command.Subcommands.Add(CreateCgroup());
        command.Subcommands.Add(CreateSockmap());
        return command;
    }

    private static Command CreateXdp()
    {
        var device = NetOptions.Device();
        var program = NetOptions.Program();
        var mode = NetOptions.XdpMode("best (default: native where the driver has it, else generic), native, generic or offload");
        var netns = NetOptions.Netns();
        var pinLink = NetOptions.PinLink();
        var replace = new Option<bool>("--replace") { Description = "Replace a program already attached through netlink instead of failing" };
        var json = NetOptions.AttachJson();
        var xdp = new Command("xdp",
            "Attach an XDP program. Without --pin-link it is attached through netlink (IFLA_XDP), which the kernel keeps until " +
            "`net detach xdp`; with --pin-link through a bpf_link pinned at that path, which nobody else can replace and which " +
            "`net detach link PATH` removes")
        {
            device, program, mode, netns, pinLink, replace, json,
        };
        xdp.SetAction(result => CommandRunner.Run(() =>
        {
            string dev = result.GetValue(device)!;
            var xdpMode = NetOptions.ParseXdpMode(result.GetValue(mode));
            string? pin = result.GetValue(pinLink);
            string? netnsName = result.GetValue(netns);
            if (pin is not null && result.GetValue(replace))
                throw new CliError("--replace works only without --pin-link (netlink); a linked program is replaced through its link");
            if (pin is not null) NetOptions.CheckPinPath(pin);
            using var prog = ProgramResolver.Open(result.GetValue(program)!);
            using var ns = NamespaceResolver.OpenOptional(netnsName);
            var info = BpfProgramInfo.FromFd(prog.Fd);
                        AttachReport report;
            if (pin is not null)
            {
                // Disposing the unpinned link detaches it, so a failed pin leaves nothing behind.
                using var link = XdpLink.Attach(prog.Fd, dev, xdpMode, ns);
                link.Pin(pin);
                report = new AttachReport("xdp", dev, netnsName, $"mode {Mode(link.Mode)}", info.Id, info.Name, link.Id, pin,
                    $"stays while the pin exists; remove with `sluice net detach link {pin}`");
            }
            else
            {
                using var attachment = XdpNetlinkAttachment.Attach(prog.Fd, dev, xdpMode, ns, result.GetValue(replace));
                attachment.DetachOnDispose = false;
                report = new AttachReport("xdp", dev, netnsName, $"mode {Mode(attachment.Mode)}", info.Id, info.Name, null, null,
                    "netlink attachment, stays until `sluice net detach xdp`");
            }
            report.Write(result.GetValue(json));
            return 0;
        }));
        return xdp;
    }

    private static Command CreateTc()
    {
        var device = NetOptions.Device();
        var direction = NetOptions.Direction();
        var program = NetOptions.Program();
        var priority = new Option<ushort>("--priority") { Description = "Filter priority 1..65535, lower runs first (default 1)", DefaultValueFactory = _ => 1 };
        var handle = new Option<uint>("--handle") { Description = "Filter handle within the priority, non-zero (default 1)", DefaultValueFactory = _ => 1 };
        var replace = new Option<bool>("--replace") { Description = "Replace the filter already at this priority/handle" };
        var netns = NetOptions.Netns();
        var json = NetOptions.AttachJson();
        var tc = new Command("tc",
            "Attach a TC program the legacy way: a clsact qdisc (created when absent) and a cls_bpf direct-action filter, " +
            "which the kernel keeps until `net detach tc`")
        {
            device, direction, program, priority, handle, replace, netns, json,
        };
        tc.SetAction(result => CommandRunner.Run(() =>
        {
            string dev = result.GetValue(device)!;
            var dir = NetOptions.ParseDirection(result.GetValue(direction)!);
            ushort prio = result.GetValue(priority);
            uint filterHandle = result.GetValue(handle);
            if (prio == 0) throw new CliError("--priority must be 1..65535");
            if (filterHandle == 0) throw new CliError("--handle must be non-zero");
            using var prog = ProgramResolver.Open(result.GetValue(program)!);
            using var ns = NamespaceResolver.OpenOptional(result.GetValue(netns));
            var info = BpfProgramInfo.FromFd(prog.Fd);
            using var attachment = TcFilterAttachment.Attach(prog.Fd, dev, dir, prio, filterHandle, result.GetValue(replace), ns);
            attachment.DetachOnDispose = false;
            new AttachReport("tc", dev, result.GetValue(netns),
                $"{Direction(dir)} pref {prio} handle 0x{filterHandle:x}", info.Id, info.Name, null, null,
                "cls_bpf filter, stays until `sluice net detach tc`").Write(result.GetValue(json));
            return 0;
        }));
        return tc;
    }

    private static Command CreateTcx()
    {
        var device = NetOptions.Device();
        var direction = NetOptions.Direction();
        var program = NetOptions.Program();
        var pinLink = NetOptions.PinLink();
        pinLink.Description = "Where to pin the TCX link (required: the link would detach when sluice exits)";
        var first = new Option<bool>("--first") { Description = "Run before every program already attached" };
        var last = new Option<bool>("--last") { Description = "Run after every program already attached (the default)" };
        var before = new Option<uint?>("--before") { Description = "Run right before program ID" };
        var after = new Option<uint?>("--after") { Description = "Run right after program ID" };
        var netns = NetOptions.Netns();
        var json = NetOptions.AttachJson();
        var tcx = new Command("tcx", "Attach a TC program through TCX (Linux 6.6): a bpf_link, pinned at --pin-link, ordered among the hook's programs")
        {
            device, direction, program, pinLink, first, last, before, after, netns, json,
        };
        tcx.SetAction(result => CommandRunner.Run(() =>
        {
            string dev = result.GetValue(device)!;
            var dir = NetOptions.ParseDirection(result.GetValue(direction)!);
            string pin = result.GetValue(pinLink)
                ?? throw new CliError("net attach tcx needs --pin-link PATH: a TCX link detaches when its last holder goes, and sluice exits right after attaching");
            var order = Order(result.GetValue(first), result.GetValue(last), result.GetValue(before), result.GetValue(after));
            NetOptions.CheckPinPath(pin);
            using var prog = ProgramResolver.Open(result.GetValue(program)!);
            using var ns = NamespaceResolver.OpenOptional(result.GetValue(netns));
            var info = BpfProgramInfo.FromFd(prog.Fd);
            using var link = TcxLink.Attach(prog.Fd, dev, dir, order, ns);
            link.Pin(pin);
            new AttachReport("tcx", dev, result.GetValue(netns), $"{Direction(dir)} {order}", info.Id, info.Name,
                link.Id, pin, $"stays while the pin exists; remove with `sluice net detach link {pin}`").Write(result.GetValue(json));
            return 0;
        }));
        return tcx;
    }

    private static TcxOrder Order(bool first, bool last, uint? before, uint? after)
    {
        int given = (first ? 1 : 0) + (last ? 1 : 0) + (before is null ? 0 : 1) + (after is null ? 0 : 1);
        if (given > 1) throw new CliError("give at most one of --first, --last, --before ID, --after ID");
        if (first) return TcxOrder.First;
        if (before is { } b) return TcxOrder.BeforeProgram(b);
        if (after is { } a) return TcxOrder.AfterProgram(a);
        return TcxOrder.Last;
    }

    private static string Mode(XdpMode mode) => mode == XdpMode.BestAvailable ? "best" : mode.ToString().ToLowerInvariant();

    private static string Direction(TcDirection direction) => direction.ToString().ToLowerInvariant();
}
