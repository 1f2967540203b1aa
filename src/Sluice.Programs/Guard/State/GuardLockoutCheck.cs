using System.Globalization;
using System.Net;
using Sluice.Programs.Guard.Model;

namespace Sluice.Programs.Guard.State;

/// <summary>
/// Refuses changes after which the guard would drop, limit or block TCP from an SSH session's client to the SSH
/// server's port: the XDP rules and default verdict (<see cref="GuardPolicyModel"/>), the TC stage's drop marks, and
/// the per-source packet and SYN limits with their block time (Guard/README.md, "Lock-out"). Only the rules that
/// contain a client matter, so only those are gathered.
/// </summary>
internal static class GuardLockoutCheck
{
    /// <summary>Installed rules plus <paramref name="adds"/>, minus <paramref name="removes"/>, under <paramref name="config"/>.</summary>
    internal static void CheckChange(RuleTables tables, IReadOnlyList<GuardRule> adds, IReadOnlyList<GuardRule> removes, GuardConfigValue config,
        GuardSshSessions sessions, string what)
    {
        foreach (var session in sessions.Sessions)
        {
            var client = GuardAddress.Identity(session.Client);
            // An installed rule that matches the client contains it, so only changes that contain the client can have
            // its key: the set stays tiny for a million-rule import.
            var replaced = new HashSet<GuardRuleKey>(removes.Concat(adds).Where(r => Contains(r, client)).Select(r => r.Key));
            var rules = tables.Matching(client, GuardRule.Tcp, session.ServerPort).Where(r => !replaced.Contains(r.Key))
                .Concat(adds.Where(r => Contains(r, client)));
            Evaluate(rules, config, session, client, what);
        }
    }

    /// <summary>A complete desired state (Apply): <paramref name="rules"/> are all the rules there will be.</summary>
    internal static void CheckFinal(IReadOnlyList<GuardRule> rules, GuardConfigValue config, GuardSshSessions sessions, string what)
    {
        foreach (var session in sessions.Sessions)
        {
            var client = GuardAddress.Identity(session.Client);
            Evaluate(rules.Where(r => Contains(r, client)), config, session, client, what);
        }
    }

    /// <summary>
    /// Whether the change could cut some SSH session had one been found: it adds a deny rule, or the settings drop
    /// unmatched packets (default drop, TC drop marks) or limit sources below what a session needs. Decides whether
    /// finding no session is worth a warning.
    /// </summary>
    internal static bool CouldDrop(IEnumerable<GuardRule> adds, GuardConfigValue config) =>
        adds.Any(r => r.Action == GuardRuleAction.Deny) || config.DefaultVerdict == GuardVerdict.Drop
        || ((config.Flags & GuardConfigFlags.Metadata) != 0 && (config.TcDropMarks & ~GuardMarks.Allowed) != 0)
        || LimitCause(GuardSettings.FromConfigValue(config).Limits) is not null;

    private static void Evaluate(IEnumerable<GuardRule> rules, GuardConfigValue config, GuardSshSession session, IPAddress client, string what)
    {
        var decision = new GuardPolicyModel(rules, config).Evaluate(client, GuardRule.Tcp, session.ServerPort, nonFirstFragment: false);
        if (Cause(decision, config) is not { } found) return;
        var (verb, cause) = found;
        string whose = session.Source == GuardSshSessionSource.Environment
            ? $"your SSH session ({client} to TCP port {session.ServerPort})"
            : $"the SSH session from {client} to TCP port {session.ServerPort}";
        throw new GuardLockoutException($"refused: {what} would {verb} {whose} by {cause}");
    }

    /// <summary>What would cut a session whose packets get <paramref name="decision"/> from XDP ("drop" or "limit", and by what), or null.</summary>
    private static (string Verb, string Cause)? Cause(GuardDecision decision, GuardConfigValue config)
    {
        if (decision.Dropped) return ("drop", decision.Winner is { } winner ? $"rule '{winner}'" : "the default drop verdict");
        bool allowed = (decision.Marks & GuardMarks.Allowed) != 0;
        var limits = GuardSettings.FromConfigValue(config).Limits;
        // Marks reach the TC stage only in the metadata; without it TC sees none and drops on none.
        if ((config.Flags & GuardConfigFlags.Metadata) != 0)
        {
            var marks = decision.Marks;
            // XDP marks a limited source near-limit once it uses half its burst: with a burst of 0 or 1, every packet.
            if (!allowed && limits.PacketsPerSecond > 0) marks |= GuardMarks.NearLimit;
            var dropping = marks & config.TcDropMarks;
            if (dropping != GuardMarks.None) return ("drop", $"the TC stage dropping packets marked {GuardMarkNames.Format(dropping)}");
        }
        // An allowed source skips blocks and limits (README, "Precedence").
        return !allowed && LimitCause(limits) is { } limit ? ("limit", limit) : null;
    }

    /// <summary>The per-source limit (with its block time) too tight for an SSH session, or null.</summary>
    private static string? LimitCause(GuardLimits limits)
    {
        string block = limits.BlockTime > TimeSpan.Zero
            ? $", which then blocks the source for {limits.BlockTime.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s" : "";
        if (limits.PacketsPerSecond > 0 && limits.PacketsPerSecond < GuardLockout.SessionPacketsPerSecond)
            return $"the packet limit of {limits.PacketsPerSecond}/s per source{block}";
        // SYN limits hit only new connections; with a block time, a few at once block the source and every session of it.
        if (limits.SynPerSecond > 0 && limits.BlockTime > TimeSpan.Zero
            && Math.Max(limits.SynPerSecond, limits.SynBurst) < GuardLockout.SessionConnectionsAtOnce)
            return $"the SYN limit of {limits.SynPerSecond}/s per source (burst {limits.SynBurst}){block}";
        return null;
    }

    private static bool Contains(GuardRule rule, IPAddress client) =>
        rule.Source.BaseAddress.AddressFamily == client.AddressFamily && rule.Source.Contains(client);
}
