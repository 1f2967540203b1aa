using Sluice.Programs.Guard.Lockout;
using Sluice.Programs.Guard.State;

namespace Sluice.Programs.Guard;

/// <summary>A change that could cut SSH sessions was not checked for lock-out, because no session could be found.</summary>
/// <param name="Target">The guard.</param>
/// <param name="Change">What was changed ("adding these rules", "these settings", ...).</param>
/// <param name="Search">Where sessions were looked for (the ports, and why the namespace could not be read, if so).</param>
public sealed record GuardLockoutUnchecked(GuardTarget Target, string Change, GuardSshSessions Search);

public sealed partial class GuardController
{
    /// <summary>
    /// Told when a change that could cut SSH sessions (a deny rule, a drop verdict, TC drop marks, tight limits) went
    /// through unchecked because no SSH session was found in the guard's namespace nor in the environment, so the
    /// caller can warn instead of passing silently. Called under the writer lock; keep it short.
    /// </summary>
    public Action<GuardLockoutUnchecked>? LockoutUnchecked { get; set; }

    /// <summary>
    /// Test hook: count the environment's SSH session (SSH_CONNECTION) for a target in another network namespace too.
    /// Normally it counts only for targets in the caller's own namespace: the session arrived there, not elsewhere.
    /// </summary>
    internal bool LockoutInAnyNamespace { get; set; }

    /// <summary>The lock-out check for a change that adds <paramref name="adds"/> under <paramref name="config"/>.</summary>
    private void CheckLockout(IReadOnlyList<GuardRule> adds, GuardConfigValue config, bool force, string what)
    {
        if (force) return;
        var sessions = FindSessions();
        GuardLockoutCheck.CheckChange(_tables, adds, [], config, sessions, what);
        WarnWhenUnchecked(sessions, GuardLockoutCheck.CouldDrop(adds, config), what);
    }

    /// <summary>The lock-out check of a complete desired state: <paramref name="rules"/> are all the rules there will be.</summary>
    private void CheckFinalLockout(IReadOnlyList<GuardRule> rules, GuardConfigValue config, bool force, string what)
    {
        if (force) return;
        var sessions = FindSessions();
        GuardLockoutCheck.CheckFinal(rules, config, sessions, what);
        WarnWhenUnchecked(sessions, GuardLockoutCheck.CouldDrop(rules, config), what);
    }

    private GuardSshSessions FindSessions() => SshSessionFinder.Find(Target.Namespace, LockoutInAnyNamespace);

    private void WarnWhenUnchecked(GuardSshSessions sessions, bool couldDrop, string what)
    {
        if (sessions.Sessions.Count == 0 && couldDrop) LockoutUnchecked?.Invoke(new GuardLockoutUnchecked(Target, what, sessions));
    }
}
