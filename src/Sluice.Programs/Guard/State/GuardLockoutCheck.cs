using System.Net;
using Sluice.Programs.Guard.Model;

namespace Sluice.Programs.Guard.State;

/// <summary>
/// Refuses changes after which the XDP policy (<see cref="GuardPolicyModel"/>) would drop TCP from the current SSH
/// client to the SSH server's port. Only the rules that contain the client matter, so only those are gathered.
/// </summary>
internal static class GuardLockoutCheck
{
    /// <summary>Installed rules plus <paramref name="adds"/>, minus <paramref name="removes"/>, under <paramref name="config"/>.</summary>
    internal static void CheckChange(RuleTables tables, IReadOnlyList<GuardRule> adds, IReadOnlyList<GuardRule> removes, GuardConfigValue config,
        bool force, string what)
    {
        if (force || GuardLockout.CurrentSshSession() is not { } session) return;
        var client = GuardAddress.Identity(session.Client);
        // An installed rule that matches the client contains it, so only changes that contain the client can have
        // its key: the set stays tiny for a million-rule import.
        var replaced = new HashSet<GuardRuleKey>(removes.Concat(adds).Where(r => Contains(r, client)).Select(r => r.Key));
        var rules = tables.Matching(client, GuardRule.Tcp, session.ServerPort).Where(r => !replaced.Contains(r.Key))
            .Concat(adds.Where(r => Contains(r, client)));
        Evaluate(rules, config, session, client, what);
    }

    /// <summary>A complete desired state (Apply): <paramref name="rules"/> are all the rules there will be.</summary>
    internal static void CheckFinal(IEnumerable<GuardRule> rules, GuardConfigValue config, bool force, string what)
    {
        if (force || GuardLockout.CurrentSshSession() is not { } session) return;
        var client = GuardAddress.Identity(session.Client);
        Evaluate(rules.Where(r => Contains(r, client)), config, session, client, what);
    }

    private static void Evaluate(IEnumerable<GuardRule> rules, GuardConfigValue config, GuardSshSession session, IPAddress client, string what)
    {
        var decision = new GuardPolicyModel(rules, config).Evaluate(client, GuardRule.Tcp, session.ServerPort, nonFirstFragment: false);
        if (!decision.Dropped) return;
        string cause = decision.Winner is { } winner ? $"rule '{winner}'" : "the default drop verdict";
        throw new GuardLockoutException(
            $"refused: {what} would drop your SSH session ({client} to TCP port {session.ServerPort}) by {cause}");
    }

    private static bool Contains(GuardRule rule, IPAddress client) =>
        rule.Source.BaseAddress.AddressFamily == client.AddressFamily && rule.Source.Contains(client);
}
