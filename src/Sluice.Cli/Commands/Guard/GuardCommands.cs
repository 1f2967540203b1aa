using System.CommandLine;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>
/// <c>sluice guard ...</c>: the XDP + TC DDoS guard. Every verb but attach finds its guard through --dev/--netns, or
/// takes the only guard attached when both are omitted. The state lives in pinned maps, so each call is independent.
/// </summary>
internal static class GuardCommands
{
    internal static Command Create()
    {
        var command = new Command("guard", "XDP + TC DDoS guard: rules, rate limits, statistics, sampled drops, metrics");
        command.Subcommands.Add(GuardAttachCommands.CreateAttach());
        command.Subcommands.Add(GuardAttachCommands.CreateDetach());
        command.Subcommands.Add(GuardRuleCommands.CreateRuleVerb(GuardRuleAction.Deny));
        command.Subcommands.Add(GuardRuleCommands.CreateRuleVerb(GuardRuleAction.Allow));
        command.Subcommands.Add(GuardRuleCommands.CreateRules());
        command.Subcommands.Add(GuardLimitCommand.Create());
        command.Subcommands.Add(GuardImportCommand.Create());
        command.Subcommands.Add(GuardApplyCommand.Create());
        command.Subcommands.Add(GuardStatusCommand.Create());
        command.Subcommands.Add(GuardStatusCommand.CreateUpgrade());
        command.Subcommands.Add(GuardStatsCommand.Create());
        command.Subcommands.Add(GuardEventsCommand.Create());
        command.Subcommands.Add(GuardServeCommand.Create());
        return command;
    }
}

/// <summary>The --dev/--netns pair of every guard verb but attach, and how it becomes a <see cref="GuardTarget"/>.</summary>
internal sealed class GuardTargetOptions
{
    internal Option<string?> Device { get; } = new("--dev") { Description = "Interface of the guard (default: the only guard attached)" };

    internal Option<string?> Netns { get; } = new("--netns") { Description = "Network namespace name (/var/run/netns/NAME) of the guard's interface" };

    internal void AddTo(Command command)
    {
        command.Options.Add(Device);
        command.Options.Add(Netns);
    }

    /// <summary>The guard these options name; without --dev, the only one attached (in --netns when given).</summary>
    internal GuardTarget Resolve(ParseResult result)
    {
        string? netns = GuardNames.CheckNamespace(result.GetValue(Netns));
        if (result.GetValue(Device) is { } dev) return new GuardTarget(dev, netns);
        var attached = GuardTarget.ListAttached()
            .Where(t => netns is null || t.Namespace == netns)
            .ToList();
        return attached.Count switch
        {
            1 => attached[0],
            0 => throw new CliError(netns is null
                ? "no guard is attached; run `sluice guard attach DEV` first"
                : $"no guard is attached in netns {netns}; run `sluice guard attach DEV --netns {netns}` first"),
            _ => throw new CliError($"{attached.Count} guards are attached ({string.Join(", ", attached.Select(t => t.Describe()))}); choose one with --dev DEV [--netns NAME]"),
        };
    }

    /// <summary>Opens the controller of the guard these options name.</summary>
    internal GuardController Open(ParseResult result) => GuardController.Open(Resolve(result));
}

/// <summary>Checks --netns names before anything is opened.</summary>
internal static class GuardNames
{
    internal const string NamedNamespaces = "/var/run/netns";

    internal static string? CheckNamespace(string? name)
    {
        if (name is null) return null;
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
            throw new CliError($"--netns takes a namespace name from {NamedNamespaces}, not '{name}'");
        if (!File.Exists(Path.Combine(NamedNamespaces, name)))
            throw new CliError($"network namespace '{name}' not found (no {NamedNamespaces}/{name})");
        return name;
    }
}
