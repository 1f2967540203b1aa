using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands.Guard;

/// <summary>The warning of a change the lock-out check could not check: one line on stderr, the change still goes through.</summary>
internal static class GuardLockoutText
{
    /// <summary>Opens the guard's controller for a change, warning on stderr when no SSH session could be found to protect.</summary>
    internal static GuardController OpenForChange(GuardTarget guard)
    {
        var controller = GuardController.Open(guard);
        WarnOnStderr(controller);
        return controller;
    }

    /// <summary>Makes <paramref name="controller"/>'s unchecked changes print <see cref="Warning"/> on stderr.</summary>
    internal static void WarnOnStderr(GuardController controller) =>
        controller.LockoutUnchecked = notice => Console.Error.WriteLine(Warning(notice));

    /// <summary>"warning: found no SSH session to protect ...: adding these rules was not checked for lock-out".</summary>
    internal static string Warning(GuardLockoutUnchecked notice)
    {
        string where = notice.Target.Namespace is null ? "this network namespace" : $"netns {notice.Target.Namespace}";
        string looked = notice.Search.Problem ?? $"no established connection to TCP port {string.Join(", ", notice.Search.Ports)} in {where}";
        // SSH_CONNECTION speaks for the caller's own namespace only, so it is worth naming only there.
        string environment = notice.Target.Namespace is null ? "; SSH_CONNECTION not set" : "";
        return $"warning: found no SSH session to protect ({looked}{environment}): {notice.Change} not checked for lock-out";
    }
}
