using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// LIBBPF_PIN_BY_NAME: a map already pinned under the pin path is reused instead of created, provided it has the
/// shape the object expects (<see cref="BpfMap.CheckCompatible"/>: type, sizes, max entries, flags, map_extra).
/// </summary>
internal static class PinnedMapReuse
{
    /// <summary>The pinned map at <paramref name="path"/>, checked against <paramref name="spec"/>.</summary>
    /// <exception cref="InvalidOperationException">
    /// The pinned map differs from the spec: the message names the pin and every difference, and the inner
    /// exception is the <see cref="BpfMapIncompatibleException"/>.
    /// </exception>
    internal static BpfMap Open(string path, MapSpec spec)
    {
        var map = BpfMap.OpenPinned(path);
        try
        {
            map.CheckCompatible(spec);
            return map;
        }
        catch (BpfMapIncompatibleException error)
        {
            map.Dispose();
            throw new InvalidOperationException(
                $"map '{spec.Name}' pinned at {path} differs from the object's definition ({string.Join("; ", error.Differences)}); " +
                "remove the pin or load with another pin path to create it afresh", error);
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }
}
