using System.CommandLine;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>
/// <c>sluice guard apply CONFIG</c>: makes the guard's whole state the file's. The file is checked first (errors as
/// FILE:LINE: message, nothing changed), the diff printed, then applied (--dry-run stops after the diff).
/// </summary>
internal static class GuardApplyCommand
{
    internal static Command Create()
    {
        var file = new Argument<string>("CONFIG") { Description = "JSON config file (limits, connections, verdicts, marks, allow, deny, import lists)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the diff and change nothing" };
        var force = new Option<bool>("--force") { Description = "Apply even if the config would drop the current SSH session's source" };
        var target = new GuardTargetOptions();
        var command = new Command("apply", "Replace the guard's rules and settings with a config file's, atomically, printing the diff first") { file, dryRun, force };
        target.AddTo(command);
        command.SetAction(result => GuardRunner.Run(() =>
        {
            string path = result.GetValue(file)!;
            var config = GuardConfig.Load(path);
            var guard = target.Resolve(result);
            using var controller = GuardLockoutText.OpenForChange(guard);
            var plan = controller.Plan(config);
            GuardText.WritePlan(plan, Console.Out);
            if (result.GetValue(dryRun))
            {
                Console.WriteLine("dry run: nothing changed");
                return 0;
            }
            if (plan.IsEmpty) return 0;
            controller.Apply(plan, result.GetValue(force));
            Console.WriteLine($"{guard.Describe()}: applied {path}");
            return 0;
        }));
        return command;
    }
}
