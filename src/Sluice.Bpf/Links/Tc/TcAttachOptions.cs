namespace Sluice.Bpf;

/// <summary>Optional settings of <see cref="Tc.Attach(BpfFd, string, TcDirection, TcAttachOptions?)"/>.</summary>
public sealed class TcAttachOptions
{
    /// <summary>The network namespace the interface lives in (null: the caller's).</summary>
    public NetworkNamespace? Namespace { get; init; }

    /// <summary>TCX, legacy filter, or automatic (TCX when supported).</summary>
    public TcAttachMethod Method { get; init; }

    /// <summary>TCX only: position among programs already attached (default: last).</summary>
    public TcxOrder? Order { get; init; }

    /// <summary>Filter only: priority (default 1).</summary>
    public ushort Priority { get; init; } = 1;

    /// <summary>Filter only: handle (default 1).</summary>
    public uint Handle { get; init; } = 1;

    /// <summary>Filter only: replace a filter already at the priority/handle instead of failing.</summary>
    public bool Replace { get; init; }
}
