using Sluice.Bpf;
using Sluice.Programs.Guard.State;

namespace Sluice.Programs.Guard;

/// <summary>
/// Attaches, drives and inspects the guard on one interface. All state is in maps pinned under
/// <see cref="GuardTarget.PinDirectory"/>, so any number of controllers (CLI calls, a daemon, a restarted process) see
/// and change the same guard; disposing a controller never detaches anything. Changes from any number of
/// controllers and processes are serialised by the guard's writer lock. One controller: one caller at a time.
/// </summary>
public sealed partial class GuardController : IDisposable
{
    private readonly GuardMaps _maps;
    private readonly RuleTables _tables;
    private readonly ConfigSlots _slots;
    private readonly PinDirectoryLock _pinLock;

    private GuardController(GuardTarget target, GuardMaps maps, PinDirectoryLock pinLock)
    {
        Target = target;
        _maps = maps;
        _pinLock = pinLock;
        _tables = new RuleTables(maps);
        _slots = new ConfigSlots(maps.Config, maps.ConfigSelect);
    }

    /// <summary>The protected interface.</summary>
    public GuardTarget Target { get; }

    /// <summary>
    /// Loads both programs with their maps pinned in the target's pin directory (reusing pins that exist), attaches XDP
    /// (and TC ingress) inside the target's namespace through bpf_links pinned as xdp_link and tc_link, and writes the
    /// default configuration when the maps are new. Attaching again keeps every rule, counter and setting and points
    /// the links at freshly loaded programs.
    /// </summary>
    /// <exception cref="GuardException">Unknown interface or namespace, mode not supported, no privileges, hook taken.</exception>
    public static GuardController Attach(GuardTarget target, GuardAttachOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        GuardAttacher.Attach(target, options ?? new GuardAttachOptions());
        return Open(target);
    }

    /// <summary>Opens an attached guard.</summary>
    /// <exception cref="GuardException"><see cref="GuardFailure.NotAttached"/> when no guard is pinned for the target.</exception>
    public static GuardController Open(GuardTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        // The directory first: a detach (and re-attach) after this point shows as !IsCurrent when this controller writes.
        PinDirectoryLock? pinLock = null;
        GuardMaps? maps = null;
        try
        {
            pinLock = PinDirectoryLock.Open(target.PinDirectory);
            maps = GuardMaps.Open(target);
            return new GuardController(target, maps, pinLock);
        }
        catch (DirectoryNotFoundException)
        {
            throw GuardMaps.NotAttached(target);
        }
        catch (Exception error) when (error is UnauthorizedAccessException or Sluice.Bpf.BpfException or IOException)
        {
            pinLock?.Dispose();
            maps?.Dispose();
            throw GuardAttachErrors.Explain(error, target, "open", Sluice.Bpf.XdpMode.BestAvailable);
        }
        catch
        {
            pinLock?.Dispose();
            maps?.Dispose();
            throw;
        }
    }

    /// <summary>True when a guard is pinned for <paramref name="target"/>.</summary>
    public static bool IsAttached(GuardTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return GuardMaps.Exists(target);
    }

    /// <summary>
    /// Detaches both stages and removes every pin and the emptied directories (up to the root).
    /// </summary>
    /// <returns>False when no guard was pinned for the target (nothing to do).</returns>
    public static bool Detach(GuardTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return GuardAttacher.Detach(target);
    }

    /// <summary>Loads the embedded programs again and swaps them into both links atomically; maps (rules, counters) stay.</summary>
    /// <exception cref="GuardException">The links are gone or the kernel refused the new programs (the old ones keep running).</exception>
    public void Upgrade() => GuardAttacher.Upgrade(Target);

    /// <summary>Programs, links, modes, rule counts, settings and generation.</summary>
    public GuardStatus Status()
    {
        var live = GuardAttacher.Describe(Target);
        var config = _slots.Active;
        return new GuardStatus
        {
            Target = Target,
            XdpMode = live.Mode,
            XdpProgramId = live.XdpProgram,
            XdpLinkId = live.XdpLink,
            TcMethod = live.TcMethod,
            TcProgramId = live.TcProgram,
            TcLinkId = live.TcLink,
            RuleCounts = CountRules(),
            Settings = GuardSettings.FromConfigValue(config),
            Generation = config.Generation,
            ActiveSlot = _slots.ActiveSlot,
            Flags = config.Flags,
        };
    }

    /// <summary>
    /// True while the guard this controller opened is still attached: false once it was detached (its pin directory
    /// removed), also when another guard was attached at the same target since (its maps are new; open it again).
    /// </summary>
    public bool IsCurrent => _pinLock.IsCurrent && GuardMaps.Exists(Target);

    /// <summary>The active settings.</summary>
    public GuardSettings Settings => GuardSettings.FromConfigValue(_slots.Active);

    /// <summary>The active configuration map value (flags, generation, raw GCRA values).</summary>
    public GuardConfigValue ActiveConfig => _slots.Active;

    /// <summary>Closes this controller's map fds; the guard stays attached.</summary>
    public void Dispose()
    {
        _maps.Dispose();
        _pinLock.Dispose();
    }
}
