namespace Sluice.Programs.Guard.Model;

/// <summary>The verdict the guard's XDP stage gives one packet, as <see cref="GuardPolicyModel"/> predicts it.</summary>
/// <param name="XdpAction">The XDP action number: 1 = XDP_DROP, 2 = XDP_PASS.</param>
/// <param name="Reason">The statistics slot the packet is counted under.</param>
/// <param name="Winner">The rule that decided (its packets/bytes counters go up), or null when none matched.</param>
/// <param name="Marks">The GUARD_MARK_* bits the packet carries (in guard_meta when passed with metadata on).</param>
public sealed record GuardDecision(uint XdpAction, GuardReason Reason, GuardRule? Winner, GuardMarks Marks)
{
    /// <summary>XDP_DROP.</summary>
    public const uint Drop = 1;

    /// <summary>XDP_PASS.</summary>
    public const uint Pass = 2;

    /// <summary>The parsed packet (null for <see cref="GuardPolicyModel.Evaluate(System.Net.IPAddress, byte, ushort, bool)"/>).</summary>
    public GuardParsedPacket? Packet { get; init; }

    /// <summary>True when the packet is dropped.</summary>
    public bool Dropped => XdpAction == Drop;

    /// <summary>
    /// Whether the packet gets struct guard_meta with <see cref="Marks"/> when GUARD_F_METADATA is set: every passed
    /// packet but a non-IP one. A passed malformed packet carries it too, since the README gives it the malformed
    /// mark (when suspicious) and the mark only reaches the TC stage in the metadata.
    /// </summary>
    public bool CarriesMetadata(GuardConfigFlags flags) =>
        XdpAction == Pass && (flags & GuardConfigFlags.Metadata) != 0 && Reason != GuardReason.NotIp;

    /// <inheritdoc />
    public override string ToString() =>
        $"{(XdpAction switch { Drop => "drop", Pass => "pass", _ => $"action {XdpAction}" })} {GuardReasons.Name(Reason)}"
        + $" marks [{Marks}] winner {(Winner is null ? "none" : Winner.ToString())}";
}
