using System.Net;

// TEMPORARY: the contract's GuardRule and GuardRuleAction, owned by the guard-ctl branch. This file is deleted when
// guard-ctl is merged; it exists only so the model compiles against the contract's shapes before then.

namespace Sluice.Programs.Guard;

/// <summary>What a rule does with the packets it matches.</summary>
public enum GuardRuleAction
{
    /// <summary>Pass, skipping rate limits.</summary>
    Allow,
    /// <summary>Drop.</summary>
    Deny,
}

/// <summary>A rule: a source prefix, optionally scoped to a protocol and a destination port.</summary>
/// <param name="Source">The source prefix.</param>
/// <param name="Action">Allow or deny.</param>
/// <param name="Protocol">0 = any protocol.</param>
/// <param name="Port">0 = any port (TCP and UDP only).</param>
public sealed record GuardRule(IPNetwork Source, GuardRuleAction Action, byte Protocol = 0, ushort Port = 0)
{
    /// <summary>How specific the rule is besides its address.</summary>
    public GuardScope Scope => Port != 0 ? GuardScope.Port : Protocol != 0 ? GuardScope.Protocol : GuardScope.Any;

    /// <inheritdoc />
    public override string ToString() =>
        $"{(Action == GuardRuleAction.Allow ? "allow" : "deny")} {Source}" + (Scope switch
        {
            GuardScope.Port => $" {Protocol}/{Port}",
            GuardScope.Protocol => $" {Protocol}",
            _ => "",
        });
}
