namespace Sluice.Bpf;

/// <summary>The network hooks <see cref="NetAttachments"/> reports.</summary>
public enum NetHook
{
    /// <summary>XDP (see <see cref="NetAttachmentInfo.XdpMode"/>).</summary>
    Xdp,
    /// <summary>TCX ingress or egress (see <see cref="NetAttachmentInfo.Direction"/> and <see cref="NetAttachmentInfo.Position"/>).</summary>
    Tcx,
    /// <summary>A cls_bpf filter on clsact ingress or egress (see <see cref="NetAttachmentInfo.Priority"/>/<see cref="NetAttachmentInfo.Handle"/>).</summary>
    TcFilter,
}

/// <summary>One program attached to a network hook of one interface.</summary>
public sealed record NetAttachmentInfo
{
    /// <summary>The interface name.</summary>
    public required string InterfaceName { get; init; }

    /// <summary>The interface index.</summary>
    public required int InterfaceIndex { get; init; }

    /// <summary>The hook.</summary>
    public required NetHook Hook { get; init; }

    /// <summary>The program's id.</summary>
    public required uint ProgramId { get; init; }

    /// <summary>The program's kernel name (empty when unknown).</summary>
    public string ProgramName { get; init; } = "";

    /// <summary>XDP only: the mode.</summary>
    public XdpMode? XdpMode { get; init; }

    /// <summary>TCX and TC filters: ingress or egress.</summary>
    public TcDirection? Direction { get; init; }

    /// <summary>TCX only: the position in the run order, 0 first.</summary>
    public int? Position { get; init; }

    /// <summary>The bpf_link holding the program, when one does (XDP, TCX).</summary>
    public uint? LinkId { get; init; }

    /// <summary>TC filters only: priority.</summary>
    public ushort? Priority { get; init; }

    /// <summary>TC filters only: handle.</summary>
    public uint? Handle { get; init; }

    /// <summary>TC filters only: the filter's name as given at attach (tc(8) shows it).</summary>
    public string? FilterName { get; init; }
}
