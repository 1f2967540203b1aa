using Sluice.Programs.Guard.State;

namespace Sluice.Programs.Guard;

public sealed partial class GuardController
{
    /// <summary>
    /// Replaces the settings atomically: the inactive configuration slot is written, then the selector flips, so a
    /// packet never sees half an update; the generation goes up and the port-rule flags are kept.
    /// </summary>
    /// <exception cref="GuardException">Invalid values.</exception>
    /// <exception cref="GuardLockoutException">A default drop that would cut the current SSH session (unless <paramref name="force"/>).</exception>
    public void UpdateSettings(GuardSettings settings, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var active = _slots.Active;
        var next = settings.ToConfigValue(active.Generation + 1, active.Flags & ConfigSlots.PortFlags);
        GuardLockoutCheck.CheckChange(_tables, [], [], next, SkipLockout(force), "these settings");
        _slots.Switch(next);
    }
}
