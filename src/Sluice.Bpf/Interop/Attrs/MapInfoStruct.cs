using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>struct bpf_map_info (uapi/linux/bpf.h), up to map_extra.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MapInfoStruct
{
    public uint Type;
    public uint Id;
    public uint KeySize;
    public uint ValueSize;
    public uint MaxEntries;
    public uint MapFlags;
    public fixed byte Name[16];
    public uint IfIndex;
    public uint BtfVmlinuxValueTypeId;
    public ulong NetnsDev;
    public ulong NetnsIno;
    public uint BtfId;
    public uint BtfKeyTypeId;
    public uint BtfValueTypeId;
    private readonly uint _padding;
    public ulong MapExtra;
}
