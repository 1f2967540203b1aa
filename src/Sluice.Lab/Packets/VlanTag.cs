namespace Sluice.Lab.Packets;

/// <summary>One VLAN tag: its TPID (0x8100 802.1Q or 0x88a8 802.1ad) and the 12-bit VLAN id with priority bits.</summary>
/// <param name="Id">The tag control information (priority, DEI, VLAN id); only the low 16 bits are written.</param>
/// <param name="Tpid">The tag protocol identifier that introduces the tag.</param>
public readonly record struct VlanTag(ushort Id, ushort Tpid = VlanTag.Ieee8021Q)
{
    /// <summary>802.1Q customer tag TPID.</summary>
    public const ushort Ieee8021Q = 0x8100;

    /// <summary>802.1ad service (outer, "QinQ") tag TPID.</summary>
    public const ushort Ieee8021AD = 0x88a8;
}
