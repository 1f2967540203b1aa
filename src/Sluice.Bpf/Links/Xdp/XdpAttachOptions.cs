namespace Sluice.Bpf;

/// <summary>Optional settings of <see cref="Xdp.Attach(BpfFd, string, XdpMode, XdpAttachOptions?)"/>.</summary>
public sealed class XdpAttachOptions
{
    /// <summary>The network namespace the interface lives in (null: the caller's).</summary>
    public NetworkNamespace? Namespace { get; init; }

    /// <summary>bpf_link or netlink; <see cref="XdpAttachMethod.Auto"/> prefers the link.</summary>
    public XdpAttachMethod Method { get; init; }

    /// <summary>
    /// Netlink only: replace a program that is already attached (not owned by a link) instead of failing.
    /// Without it an occupied slot is an error that names the occupant.
    /// </summary>
    public bool ReplaceExisting { get; init; }
}
