using System.CommandLine;
using System.Globalization;
using Sluice.Cli.Infrastructure;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary><c>sluice guard deny|allow CIDR...</c> and <c>sluice guard rules</c>.</summary>
internal static class GuardRuleCommands
{
    internal static Command CreateRuleVerb(GuardRuleAction action)
    {
        string verb = action == GuardRuleAction.Deny ? "deny" : "allow";
        var rules = new Argument<string[]>("CIDR")
        {
            Description = "Source prefixes (198.19.0.0/16, fd00::/8, a bare address is /32 or /128), or whole rules such as '198.18.0.0/16 tcp/443'",
            Arity = ArgumentArity.OneOrMore,
        };
        var proto = new Option<string?>("--proto") { Description = "Only this protocol: tcp, udp, icmp, icmpv6 or a number 0..255" };
        var port = new Option<string?>("--port") { Description = "Only this destination port (needs --proto tcp or udp)" };
        var remove = new Option<bool>("--remove") { Description = $"Remove these {verb} rules instead of adding them" };
        var force = new Option<bool>("--force") { Description = "Add even if the rules would drop the current SSH session's source" };
        var target = new GuardTargetOptions();
        var command = new Command(verb, action == GuardRuleAction.Deny
            ? "Drop packets from these sources (optionally one protocol / destination port); live, no reload"
            : "Always pass packets from these sources, skipping rate limits (optionally one protocol / port); live, no reload")
        {
            rules, proto, port, remove, force,
        };
        target.AddTo(command);
        command.SetAction(result => GuardRunner.Run(() =>
        {
            var parsed = Parse(result.GetValue(rules)!, action, result.GetValue(proto), result.GetValue(port));
            var guard = target.Resolve(result);
            using var controller = GuardLockoutText.OpenForChange(guard);
            var change = result.GetValue(remove)
                ? controller.RemoveRules(parsed)
                : controller.AddRules(parsed, result.GetValue(force));
            Console.WriteLine($"{guard.Describe()}: {Describe(change)}");
            return 0;
        }));
        return command;
    }

    /// <summary>"2 added, 1 unchanged" (only the non-zero parts; "nothing changed" when all are zero).</summary>
    internal static string Describe(GuardChange change)
    {
        var parts = new List<string>();
        if (change.Added > 0) parts.Add($"{change.Added} added");
        if (change.Removed > 0) parts.Add($"{change.Removed} removed");
        if (change.Unchanged > 0) parts.Add($"{change.Unchanged} unchanged");
        return parts.Count == 0 ? "nothing changed" : string.Join(", ", parts);
    }

    /// <summary>
    /// Rules from the command line: each argument is a CIDR or a whole rule; --proto/--port apply to the arguments that
    /// name no protocol of their own. Everything is checked before anything changes.
    /// </summary>
    internal static List<GuardRule> Parse(string[] arguments, GuardRuleAction action, string? proto, string? port)
    {
        if (port is not null && proto is null) throw new CliError("--port needs --proto tcp or udp");
        string suffix = proto is null ? "" : " " + proto.Trim() + (port is null ? "" : "/" + port.Trim());
        string verb = action == GuardRuleAction.Deny ? "deny" : "allow";
        var rules = new List<GuardRule>(arguments.Length);
        foreach (string argument in arguments)
        {
            string text = argument.Trim();
            var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) throw new CliError("empty rule");
            if (words[0] is "allow" or "deny" && words[0] != verb)
                throw new CliError($"'{text}' is an {words[0]} rule, given to `guard {verb}`; use `guard {words[0]}`");
            int addressWord = words[0] is "allow" or "deny" ? 1 : 0;
            bool hasProtocol = words.Length > addressWord + 1;
            if (hasProtocol && proto is not null)
                throw new CliError($"'{text}' names its own protocol; drop --proto/--port or the protocol in the rule");
            var rule = GuardRule.Parse(text + (hasProtocol ? "" : suffix), action);
            rules.Add(rule);
        }
        var duplicates = rules.GroupBy(r => r).FirstOrDefault(g => g.Count() > 1);
        if (duplicates is not null) throw new CliError($"'{duplicates.Key}' is given twice");
        return rules;
    }

    internal static Command CreateRules()
    {
        var json = CommonOptions.Json();
        var target = new GuardTargetOptions();
        var command = new Command("rules", "The rules with their hit counters (packets and bytes of the packets each rule decided)") { json };
        target.AddTo(command);
        command.SetAction(result => GuardRunner.Run(() =>
        {
            using var controller = target.Open(result);
            var entries = controller.Rules();
            if (result.GetValue(json)) WriteJson(entries);
            else WriteTable(entries);
            return 0;
        }));
        return command;
    }

    private static void WriteTable(IReadOnlyList<GuardRuleEntry> entries)
    {
        var table = new TextTable("ACTION", "SOURCE", "PROTO", "PORT", "PACKETS", "BYTES");
        foreach (var e in entries)
        {
            table.Add(e.Rule.Action == GuardRuleAction.Allow ? "allow" : "deny", e.Rule.Source.ToString(),
                e.Rule.Protocol == 0 ? "any" : GuardText.Protocol(e.Rule.Protocol), e.Rule.Port == 0 ? "any" : e.Rule.Port.ToString(CultureInfo.InvariantCulture),
                e.Packets, e.Bytes);
        }
        table.Write(Console.Out);
    }

    private static void WriteJson(IReadOnlyList<GuardRuleEntry> entries) => JsonOutput.Write(writer =>
    {
        writer.WriteStartArray();
        foreach (var e in entries)
        {
            writer.WriteStartObject();
            writer.WriteString("rule", e.Rule.ToString());
            writer.WriteString("action", e.Rule.Action == GuardRuleAction.Allow ? "allow" : "deny");
            writer.WriteString("source", e.Rule.Source.ToString());
            writer.WriteString("scope", GuardText.Scope(e.Rule.Scope));
            if (e.Rule.Protocol == 0) writer.WriteNull("protocol");
            else writer.WriteString("protocol", GuardText.Protocol(e.Rule.Protocol));
            if (e.Rule.Port == 0) writer.WriteNull("port");
            else writer.WriteNumber("port", e.Rule.Port);
            writer.WriteNumber("packets", e.Packets);
            writer.WriteNumber("bytes", e.Bytes);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    });
}
