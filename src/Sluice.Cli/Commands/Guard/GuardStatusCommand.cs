using System.CommandLine;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary><c>sluice guard status</c> (attachment, rule counts, settings) and <c>sluice guard upgrade</c>.</summary>
internal static class GuardStatusCommand
{
    internal static Command Create()
    {
        var json = CommonOptions.Json();
        var target = new GuardTargetOptions();
        var command = new Command("status", "The guard's attachment (XDP mode, TC, program and link ids), rule counts and settings") { json };
        target.AddTo(command);
        command.SetAction(result => GuardRunner.Run(() =>
        {
            using var controller = target.Open(result);
            var status = controller.Status();
            if (result.GetValue(json)) WriteJson(status);
            else WriteText(status);
            return 0;
        }));
        return command;
    }

    internal static Command CreateUpgrade()
    {
        var target = new GuardTargetOptions();
        var command = new Command("upgrade", "Reload the guard's programs from this build and swap them in atomically; rules, counters and settings stay");
        target.AddTo(command);
        command.SetAction(result => GuardRunner.Run(() =>
        {
            using var controller = target.Open(result);
            var before = controller.Status();
            controller.Upgrade();
            var after = controller.Status();
            Console.WriteLine($"{controller.Target.Describe()}: upgraded; {GuardStatusText.Programs(before)} -> {GuardStatusText.Programs(after)}");
            return 0;
        }));
        return command;
    }

    private static void WriteText(GuardStatus status)
    {
        foreach (var (name, value) in GuardStatusText.Lines(status)) Console.WriteLine($"{name,-12} {value}");
        Console.WriteLine("settings");
        GuardText.WriteSettings(status.Settings, Console.Out);
    }

    private static void WriteJson(GuardStatus status) => JsonOutput.Write(writer =>
    {
        writer.WriteStartObject();
        GuardStatusText.WriteJsonFields(writer, status);
        GuardText.WriteSettingsJson(writer, "settings", status.Settings);
        writer.WriteEndObject();
    });
}
