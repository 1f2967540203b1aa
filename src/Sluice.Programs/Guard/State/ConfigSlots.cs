using Sluice.Bpf;

namespace Sluice.Programs.Guard.State;

/// <summary>
/// The two configuration slots and the selector: changes are written to the inactive slot, then the selector flips,
/// so a packet sees either the old or the new configuration, never a mix.
/// </summary>
internal sealed class ConfigSlots(BpfArrayMap<GuardConfigValue> config, BpfArrayMap<uint> select)
{
    /// <summary>The active slot (0 or 1).</summary>
    internal uint ActiveSlot => select.TryLookup(0, out uint slot) ? slot & 1 : 0;

    /// <summary>The active configuration.</summary>
    internal GuardConfigValue Active => config.TryLookup(ActiveSlot, out var value) ? value : GuardConfigValue.Default;

    /// <summary>Writes <paramref name="value"/> to the inactive slot and makes it active.</summary>
    internal void Switch(GuardConfigValue value)
    {
        uint next = ActiveSlot ^ 1;
        config.Update(next, value);
        select.Update(0, next);
    }

    /// <summary>
    /// Writes the configuration of a freshly created guard (<see cref="GuardSettings.Defaults"/>: GuardConfigValue.Default
    /// plus metadata, generation 1) to both slots and selects slot 0.
    /// </summary>
    internal void Initialize()
    {
        var initial = GuardSettings.Defaults.ToConfigValue(1, GuardConfigFlags.None);
        config.Update(0, initial);
        config.Update(1, initial);
        select.Update(0, 0);
    }

    /// <summary>GUARD_F_PORT_RULES_V4 | V6.</summary>
    internal const GuardConfigFlags PortFlags = GuardConfigFlags.PortRulesV4 | GuardConfigFlags.PortRulesV6;
}
