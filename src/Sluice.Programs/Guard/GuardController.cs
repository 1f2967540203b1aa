using Sluice.Bpf;

namespace Sluice.Programs.Guard;

/// <summary>
/// Attaches, drives and inspects the guard on one interface. All state is in maps pinned under
/// <see cref="GuardTarget.PinDirectory"/>, so any number of controllers (CLI calls, a daemon, a restarted process) see
/// and change the same guard; disposing a controller never detaches anything.
/// </summary>
public sealed partial class GuardController : IDisposable
{
    private GuardController(GuardTarget target)
    {
        Target = target;
    }

    /// <summary>The protected interface.</summary>
    public GuardTarget Target { get; }

    /// <summary>
    /// Loads both programs with their maps pinned in the target's pin directory (reusing pins that exist), attaches XDP
    /// (and TC ingress) inside the target's namespace, pins the links, and writes the default configuration when the
    /// maps are new. Attaching again keeps every rule and setting and points the links at the freshly loaded programs.
    /// </summary>
    /// <exception cref="GuardException">Unknown interface or namespace, mode not supported, no privileges, hook taken.</exception>
    public static GuardController Attach(GuardTarget target, GuardAttachOptions? options = null) => throw new NotImplementedException();

    /// <summary>Opens an attached guard.</summary>
    /// <exception cref="GuardException">"no guard on eth0 (netns x): run sluice guard attach".</exception>
    public static GuardController Open(GuardTarget target) => throw new NotImplementedException();

    /// <summary>Detaches both stages and removes every pin and the emptied directories; a guard that is not there is not an error.</summary>
    public static void Detach(GuardTarget target) => throw new NotImplementedException();

    /// <summary>Programs, links, modes, rule counts, settings and generation.</summary>
    public GuardStatus Status() => throw new NotImplementedException();

    /// <summary>Every installed rule with its counters, sorted (IPv4 before IPv6, by prefix, then scope).</summary>
    public IReadOnlyList<GuardRuleEntry> Rules() => throw new NotImplementedException();

    /// <summary>
    /// Installs rules. Rules already installed with the same action keep their counters (Unchanged); the same prefix
    /// and scope both allowed and denied in the request, or the opposite action of an installed rule, is a conflict.
    /// </summary>
    /// <exception cref="GuardConflictException">A conflict; the message names the rule.</exception>
    /// <exception cref="GuardLockoutException">The rules would drop the current SSH session (unless <paramref name="force"/>).</exception>
    public GuardChange AddRules(IReadOnlyList<GuardRule> rules, bool force = false) => throw new NotImplementedException();

    /// <summary>Removes rules (matched by prefix and scope; the action must match an installed one, absent ones count as Unchanged).</summary>
    public GuardChange RemoveRules(IReadOnlyList<GuardRule> rules) => throw new NotImplementedException();

    /// <summary>The active settings.</summary>
    public GuardSettings Settings => throw new NotImplementedException();

    /// <summary>Replaces the settings atomically (inactive slot written, then the selector flipped); the generation goes up.</summary>
    /// <exception cref="GuardException">Invalid values.</exception>
    /// <exception cref="GuardLockoutException">A default drop that would cut the current SSH session (unless <paramref name="force"/>).</exception>
    public void UpdateSettings(GuardSettings settings, bool force = false) => throw new NotImplementedException();

    /// <summary>
    /// Bulk-adds rules (a 1,000,000-prefix blocklist) with batched map updates: parse, dedupe, group per map, write.
    /// Idempotent: rules already installed with the same action are kept, so an interrupted import can be re-run.
    /// </summary>
    /// <exception cref="GuardConflictException">A rule conflicts with another or an installed one (nothing written).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; what was written stays (consistent, re-run completes it).</exception>
    public GuardImportResult Import(IEnumerable<GuardRule> rules, IProgress<GuardImportProgress>? progress = null,
        CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>The changes that would turn the installed state into <paramref name="desired"/>.</summary>
    public GuardPlan Plan(GuardConfig desired) => throw new NotImplementedException();

    /// <summary>
    /// Carries out a plan: validates everything first, then adds, removes, and finally switches the settings by a slot
    /// flip. On a failure what was done is undone, so the guard is left in its old state.
    /// </summary>
    /// <exception cref="GuardException">Validation, conflict, lock-out (unless <paramref name="force"/>) or a kernel failure (rolled back).</exception>
    public void Apply(GuardPlan plan, bool force = false) => throw new NotImplementedException();

    /// <summary>Loads the embedded programs again and swaps them into both links atomically; maps (rules, counters) stay.</summary>
    public void Upgrade() => throw new NotImplementedException();

    /// <summary>Per-reason counters summed over CPUs.</summary>
    public GuardStatistics ReadStatistics() => throw new NotImplementedException();

    /// <summary>The <paramref name="count"/> sources with the most packets (guard_sources).</summary>
    public IReadOnlyList<GuardSourceEntry> TopSources(int count) => throw new NotImplementedException();

    /// <summary>A reader of sampled drops.</summary>
    public GuardEventReader OpenEvents() => throw new NotImplementedException();

    /// <summary>Closes this controller's map fds; the guard stays attached.</summary>
    public void Dispose()
    {
    }
}
