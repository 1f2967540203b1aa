using System.CommandLine;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

// net attach cgroup|sockmap: hooks that are not per interface, so no --netns.
internal static partial class NetAttachCommands
{
    private static Command CreateCgroup()
    {
        var path = new Argument<string>("CGROUP") { Description = $"cgroup v2 directory (e.g. {Cgroup.Root}/my-service)" };
        var program = NetOptions.Program();
        var type = new Option<string>("--type") { Description = "Hook: " + AttachTypeNames.CgroupChoices, Required = true };
        var pinLink = NetOptions.PinLink();
        var json = NetOptions.AttachJson();
        var cgroup = new Command("cgroup",
            "Attach a cgroup program. Without --pin-link through BPF_PROG_ATTACH (multi-attach), which the kernel keeps until " +
            "`net detach cgroup`; with --pin-link through a bpf_link pinned at that path")
        {
            path, program, type, pinLink, json,
        };
        cgroup.SetAction(result => CommandRunner.Run(() =>
        {
            string cgroupPath = CheckCgroup(result.GetValue(path)!);
            var attachType = AttachTypeNames.Cgroup(result.GetValue(type)!);
            string? pin = result.GetValue(pinLink);
            if (pin is not null) NetOptions.CheckPinPath(pin);
            using var prog = ProgramResolver.Open(result.GetValue(program)!);
            var info = BpfProgramInfo.FromFd(prog.Fd);
            AttachReport report;
            if (pin is not null)
            {
                using var link = CgroupLink.Attach(prog.Fd, cgroupPath, attachType);
                link.Pin(pin);
                report = new AttachReport("cgroup", cgroupPath, null, Names.AttachType(attachType), info.Id, info.Name, link.Id, pin,
                    $"stays while the pin exists; remove with `sluice net detach link {pin}`");
            }
            else
            {
                using var attachment = CgroupProgramAttachment.Attach(prog.Fd, cgroupPath, attachType);
                attachment.DetachOnDispose = false;
                report = new AttachReport("cgroup", cgroupPath, null, Names.AttachType(attachType), info.Id, info.Name, null, null,
                    "BPF_PROG_ATTACH, stays until `sluice net detach cgroup`");
            }
            report.Write(result.GetValue(json));
            return 0;
        }));
        return cgroup;
    }

    private static Command CreateSockmap()
    {
        var map = new Argument<string>("MAP") { Description = "SOCKMAP or SOCKHASH: id, pinned path or name" };
        var program = NetOptions.Program();
        var type = new Option<string>("--type") { Description = "Hook: " + AttachTypeNames.SockmapChoices, Required = true };
        var json = NetOptions.AttachJson();
        var sockmap = new Command("sockmap",
            "Attach an sk_msg or sk_skb program to a socket map with BPF_PROG_ATTACH; the map keeps it (for sockets added " +
            "afterwards) until `net detach sockmap` or until the map goes")
        {
            map, program, type, json,
        };
        sockmap.SetAction(result => CommandRunner.Run(() =>
        {
            var attachType = AttachTypeNames.Sockmap(result.GetValue(type)!);
            using var socketMap = MapResolver.Open(result.GetValue(map)!);
            MapResolver.EnsureSocketMap(socketMap);
            using var prog = ProgramResolver.Open(result.GetValue(program)!);
            var info = BpfProgramInfo.FromFd(prog.Fd);
            using var attachment = SockmapProgramAttachment.Attach(prog.Fd, socketMap, attachType);
            attachment.DetachOnDispose = false;
            new AttachReport("sockmap", $"{socketMap.Name} (map {BpfMapInfo.FromFd(socketMap.Fd).Id})", null, Names.AttachType(attachType),
                info.Id, info.Name, null, null, "BPF_PROG_ATTACH, stays with the map until `sluice net detach sockmap`").Write(result.GetValue(json));
            return 0;
        }));
        return sockmap;
    }

    /// <summary>A missing cgroup is a one-line error here rather than the library's DirectoryNotFoundException.</summary>
    internal static string CheckCgroup(string path)
    {
        if (!Directory.Exists(path)) throw new CliError($"cgroup '{path}' does not exist");
        return path;
    }
}
