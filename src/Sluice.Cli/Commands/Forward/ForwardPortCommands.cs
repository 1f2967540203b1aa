using System.CommandLine;
using Sluice.Cli.Commands.XdpApps;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Forward;

namespace Sluice.Cli.Commands.Forward;

/// <summary><c>sluice forward port add|remove</c>.</summary>
internal static class ForwardPortCommands
{
    internal static Command Create()
    {
        var port = new Command("port", "Ports of the forwarder");
        port.Subcommands.Add(CreateAdd());
        port.Subcommands.Add(CreateRemove());
        return port;
    }

    private static Command CreateAdd()
    {
        var device = new Argument<string>("DEV") { Description = "Interface to make a port (again: change its settings)" };
        var to = new Option<string?>("--to") { Description = "L2: send its frames out of this port ('none': to the stack)" };
        var noFlood = new Option<bool>("--no-flood") { Description = "Keep it out of the flood group" };
        var xdpMode = new Option<string?>("--xdp-mode") { Description = "XDP mode: best (default), native or generic" };
        var netns = new Option<string?>("--netns") { Description = "Network namespace name of the forwarder" };
        var json = CommonOptions.Json();
        var add = new Command("add", "Attach the forwarder to DEV and add it to the ports (and the flood group)") { device, to, noFlood, xdpMode, netns, json };
        add.SetAction(result => CommandRunner.Run(() =>
        {
            var place = ForwardCommands.Resolve(result.GetValue(netns));
            using var forward = ForwardController.Open(place);
            string dev = result.GetValue(device)!;
            string? egress = result.GetValue(to);
            forward.AddPort(dev, egress is "none" ? null : egress, !result.GetValue(noFlood), NetOptions.ParseXdpMode(result.GetValue(xdpMode)));
            if (egress is "none") forward.SetEgress(dev, null);
            if (result.GetValue(noFlood)) forward.SetFlood(dev, false);
            if (result.GetValue(json))
            {
                JsonOutput.Write(writer => ForwardText.WriteStatus(writer, forward, null, forward.SetupChanges));
                return 0;
            }
            Console.WriteLine($"port {dev} added to the forwarder in {ForwardCommands.Where(place)}");
            ForwardText.WritePorts(forward);
            XdpAppCli.WriteChanges(forward.SetupChanges);
            return 0;
        }));
        return add;
    }

    private static Command CreateRemove()
    {
        var device = new Argument<string>("DEV") { Description = "The port" };
        var netns = new Option<string?>("--netns") { Description = "Network namespace name of the forwarder" };
        var json = CommonOptions.Json();
        var remove = new Command("remove", "Detach the forwarder from DEV and drop it from every map (pairs pointing at it too)") { device, netns, json };
        remove.SetAction(result => CommandRunner.Run(() =>
        {
            var place = ForwardCommands.Resolve(result.GetValue(netns));
            using var forward = ForwardController.Open(place);
            forward.RemovePort(result.GetValue(device)!);
            if (result.GetValue(json))
            {
                JsonOutput.Write(writer => ForwardText.WriteStatus(writer, forward, null, []));
                return 0;
            }
            Console.WriteLine($"port {result.GetValue(device)} removed from the forwarder in {ForwardCommands.Where(place)}");
            return 0;
        }));
        return remove;
    }
}
