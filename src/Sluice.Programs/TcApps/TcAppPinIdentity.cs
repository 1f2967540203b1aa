using Sluice.Bpf;

namespace Sluice.Programs.TcApps;

/// <summary>
/// Which pinned state a controller opened: the id of one of its pinned maps at open. A detach removes the pin; a
/// detach and attach pins a new map with another id, while the controller's fds still read the old one.
/// </summary>
internal sealed class TcAppPinIdentity
{
    private readonly string _pin;
    private readonly uint _mapId;

    internal TcAppPinIdentity(BpfMap opened, string pin)
    {
        _pin = pin;
        _mapId = opened.GetInfo().Id;
    }

    /// <summary>True while the pin still holds the map that was opened.</summary>
    internal bool IsCurrent
    {
        get
        {
            if (!File.Exists(_pin)) return false;
            try
            {
                using var map = BpfMap.OpenPinned(_pin, PinAccess.ReadOnly);
                return map.GetInfo().Id == _mapId;
            }
            catch (Exception error) when (error is BpfException or IOException or UnauthorizedAccessException)
            {
                return false;   // removed between the check and the open
            }
        }
    }
}
