namespace Sluice.Bpf;

/// <summary>The XDP programs attached to one interface (netlink IFLA_XDP), per mode.</summary>
/// <param name="InterfaceIndex">The interface.</param>
/// <param name="InterfaceName">Its name.</param>
/// <param name="NativeProgramId">Program in native (driver) mode, or null.</param>
/// <param name="GenericProgramId">Program in generic (skb) mode, or null.</param>
/// <param name="OffloadProgramId">Program offloaded to the NIC, or null.</param>
public sealed record XdpState(int InterfaceIndex, string InterfaceName, uint? NativeProgramId, uint? GenericProgramId, uint? OffloadProgramId)
{
    /// <summary>True when any mode has a program.</summary>
    public bool IsAttached => NativeProgramId is not null || GenericProgramId is not null || OffloadProgramId is not null;

    /// <summary>The program attached in <paramref name="mode"/> (any mode for <see cref="XdpMode.BestAvailable"/>).</summary>
    public uint? ProgramId(XdpMode mode) => mode switch
    {
        XdpMode.Native => NativeProgramId,
        XdpMode.Generic => GenericProgramId,
        XdpMode.Offload => OffloadProgramId,
        _ => NativeProgramId ?? GenericProgramId ?? OffloadProgramId,
    };

    /// <summary>The mode program <paramref name="programId"/> runs in on this interface, or null when it does not run here.</summary>
    public XdpMode? ModeOf(uint programId) =>
        NativeProgramId == programId ? XdpMode.Native
        : GenericProgramId == programId ? XdpMode.Generic
        : OffloadProgramId == programId ? XdpMode.Offload
        : null;

    /// <summary>Every (mode, program id) pair that is attached.</summary>
    public IEnumerable<(XdpMode Mode, uint ProgramId)> Attachments()
    {
        if (NativeProgramId is { } native) yield return (XdpMode.Native, native);
        if (GenericProgramId is { } generic) yield return (XdpMode.Generic, generic);
        if (OffloadProgramId is { } offload) yield return (XdpMode.Offload, offload);
    }
}
