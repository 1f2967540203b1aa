using Sluice.Programs.Guard.State;

namespace Sluice.Programs.Guard;

public sealed partial class GuardController
{
    /// <summary>
    /// Replaces the settings atomically: the inactive configuration slot is written, then the selector flips, so a
    /// packet never sees half an update; the generation goes up and the port-rule flags are kept.
    /// </summary>
    /// <exception cref="GuardException">Invalid values.</exception>
    /// <exception cref="GuardLockoutException">A default drop, TC drop marks or limits that would cut an SSH session (<see cref="GuardLockout.FindSessions"/>; unless <paramref name="force"/>).</exception>
    public void UpdateSettings(GuardSettings settings, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        UpdateSettings(_ => settings, force);
    }

    /// <summary>
    /// Changes some settings: <paramref name="change"/> gets the active settings, read under the writer lock, and
    /// returns the new ones, so two processes changing different settings at once both keep their change.
    /// </summary>
    /// <returns>The settings now active.</returns>
    /// <exception cref="GuardException">Invalid values.</exception>
    /// <exception cref="GuardLockoutException">A default drop, TC drop marks or limits that would cut an SSH session (<see cref="GuardLockout.FindSessions"/>; unless <paramref name="force"/>).</exception>
    public GuardSettings UpdateSettings(Func<GuardSettings, GuardSettings> change, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Write("changing the settings", write =>
        {
            var active = _slots.Active;
            var settings = change(GuardSettings.FromConfigValue(active)) ?? throw new ArgumentException("the change returned no settings", nameof(change));
            settings.Validate();
            var next = settings.ToConfigValue(active.Generation + 1, active.Flags & ConfigSlots.PortFlags);
            CheckLockout([], next, force, "these settings");
            write.Switch(next);
            return settings;
        });
    }
}
