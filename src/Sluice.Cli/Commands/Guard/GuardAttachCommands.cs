using System.CommandLine;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary><c>sluice guard attach|detach</c>.</summary>
internal static class GuardAttachCommands
{
    internal static Command CreateAttach()
    {
        var device = new Argument<string>("DEV") { Description = "Interface to protect" };
        var netns = new Option<string?>("--netns") { Description = "Network namespace name (/var/run/netns/NAME) of the interface" };
        var mode = new Option<string?>("--mode") { Description = "XDP mode: best (default: native where the driver has it, else generic), native, generic or offload" };
        var noTc = new Option<bool>("--no-tc") { Description = "Attach only the XDP stage (no TC connection limits, no decisions on XDP marks)" };
        var config = new Option<string?>("--config") { Description = "Apply this config file (see `guard apply`) right after attaching" };
        var force = new Option<bool>("--force") { Description = "With --config: apply even if it would drop the current SSH session's source" };
        var attach = new Command("attach",
            "Attach the guard to DEV (XDP + TC ingress), its state pinned under /sys/fs/bpf/sluice/guard/<netns>/<DEV>/; " +
            "attaching again keeps the rules")
        {
            device, netns, mode, noTc, config, force,
        };
        attach.SetAction(result => GuardRunner.Run(() =>
        {
            var target = new GuardTarget(result.GetValue(device)!, GuardNames.CheckNamespace(result.GetValue(netns)));
            var options = new GuardAttachOptions { Mode = NetOptions.ParseXdpMode(result.GetValue(mode)), Tc = !result.GetValue(noTc) };
            // Validate the config before attaching, so a bad file changes nothing.
            GuardConfig? desired = result.GetValue(config) is { } path ? GuardConfig.Load(path) : null;
            using var controller = GuardController.Attach(target, options);
            GuardLockoutText.WarnOnStderr(controller);
            var status = controller.Status();
            Console.WriteLine($"guard attached to {target.Describe()}: {GuardStatusText.Attachment(status)}");
            if (desired is not null)
            {
                var plan = controller.Plan(desired);
                GuardText.WritePlan(plan, Console.Out);
                controller.Apply(plan, result.GetValue(force));
                Console.WriteLine($"applied {result.GetValue(config)}");
            }
            return 0;
        }));
        return attach;
    }

    internal static Command CreateDetach()
    {
        var device = new Argument<string?>("DEV") { Description = "Interface of the guard (default: the only guard attached)", Arity = ArgumentArity.ZeroOrOne };
        var target = new GuardTargetOptions();
        var detach = new Command("detach", "Detach the guard and remove every pin it left (rules, counters, links)") { device };
        target.AddTo(detach);
        detach.SetAction(result => GuardRunner.Run(() =>
        {
            if (result.GetValue(device) is { } dev && result.GetValue(target.Device) is { } other && other != dev)
                throw new CliError($"two interfaces given ({dev} and --dev {other}); give one");
            // A guard whose namespace is gone can still be detached (its pins removed), so the name is not checked
            // against /var/run/netns while the guard's pins exist.
            var guard = result.GetValue(device) is { } name
                ? new GuardTarget(name, result.GetValue(target.Netns))
                : target.Resolve(result);
            if (!Directory.Exists(guard.PinDirectory))
            {
                GuardNames.CheckNamespace(guard.Namespace);
                throw new CliError($"no guard on {guard.Describe()} (no {guard.PinDirectory})");
            }
            GuardController.Detach(guard);
            Console.WriteLine($"guard detached from {guard.Describe()}; its pins are removed");
            return 0;
        }));
        return detach;
    }
}
