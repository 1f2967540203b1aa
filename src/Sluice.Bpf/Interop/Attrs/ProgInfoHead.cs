using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>
/// The leading fields of struct bpf_prog_info that every kernel since 4.13 fills (type, id, tag, name). The
/// kernel copies min(info_len, its size), so asking for a prefix is valid on every version.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ProgInfoHead
{
    public uint Type;
    public uint Id;
    public fixed byte Tag[8];
    public uint JitedProgLen;
    public uint XlatedProgLen;
    public ulong JitedProgInsns;
    public ulong XlatedProgInsns;
    public ulong LoadTime;
    public uint CreatedByUid;
    public uint NrMapIds;
    public ulong MapIds;
    public fixed byte Name[16];
}
