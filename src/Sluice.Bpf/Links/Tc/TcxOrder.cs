namespace Sluice.Bpf;

/// <summary>
/// Where a TCX program goes in the interface's program list (Linux 6.6 multi-program attach): first, last, or
/// before/after a given program or link. The default appends at the end.
/// </summary>
public readonly record struct TcxOrder
{
    private TcxOrder(uint flags, uint relativeId)
    {
        Flags = flags;
        RelativeId = relativeId;
    }

    internal uint Flags { get; }

    internal uint RelativeId { get; }

    /// <summary>Run after every program already attached (the default).</summary>
    public static TcxOrder Last => new(BpfLinkFlags.After, 0);

    /// <summary>Run before every program already attached.</summary>
    public static TcxOrder First => new(BpfLinkFlags.Before, 0);

    /// <summary>Run right before program <paramref name="programId"/>.</summary>
    public static TcxOrder BeforeProgram(uint programId) => new(BpfLinkFlags.Before | BpfLinkFlags.Id, programId);

    /// <summary>Run right after program <paramref name="programId"/>.</summary>
    public static TcxOrder AfterProgram(uint programId) => new(BpfLinkFlags.After | BpfLinkFlags.Id, programId);

    /// <summary>Run right before the program of link <paramref name="linkId"/>.</summary>
    public static TcxOrder BeforeLink(uint linkId) => new(BpfLinkFlags.Before | BpfLinkFlags.Id | BpfLinkFlags.Link, linkId);

    /// <summary>Run right after the program of link <paramref name="linkId"/>.</summary>
    public static TcxOrder AfterLink(uint linkId) => new(BpfLinkFlags.After | BpfLinkFlags.Id | BpfLinkFlags.Link, linkId);

    /// <inheritdoc />
    public override string ToString() =>
        ((Flags & BpfLinkFlags.Before) != 0 ? "before" : "after") +
        (RelativeId == 0 ? " all" : (Flags & BpfLinkFlags.Link) != 0 ? $" link {RelativeId}" : $" program {RelativeId}");
}
