namespace Sluice.Bpf;

/// <summary>An existing (usually pinned) map differs from the spec it was meant to stand in for.</summary>
public class BpfMapIncompatibleException : InvalidOperationException
{
    /// <summary>Creates the exception; the message lists every difference.</summary>
    public BpfMapIncompatibleException(string mapName, string specName, IReadOnlyList<string> differences)
        : base($"existing map '{mapName}' is incompatible with spec '{specName}': {string.Join("; ", differences ?? [])}")
    {
        Differences = differences ?? [];
    }

    /// <summary>One line per differing property, e.g. "key size: map has 4, spec wants 8".</summary>
    public IReadOnlyList<string> Differences { get; }
}
