using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>struct bpf_prog_info (uapi/linux/bpf.h), up to attach_btf_id (Linux 6.1 layout; newer kernels accept it).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ProgInfoStruct
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
    public uint IfIndex;
    /// <summary>Bit 0: gpl_compatible.</summary>
    public uint GplCompatibleBits;
    public ulong NetnsDev;
    public ulong NetnsIno;
    public uint NrJitedKsyms;
    public uint NrJitedFuncLens;
    public ulong JitedKsyms;
    public ulong JitedFuncLens;
    public uint BtfId;
    public uint FuncInfoRecSize;
    public ulong FuncInfo;
    public uint NrFuncInfo;
    public uint NrLineInfo;
    public ulong LineInfo;
    public ulong JitedLineInfo;
    public uint NrJitedLineInfo;
    public uint LineInfoRecSize;
    public uint JitedLineInfoRecSize;
    public uint NrProgTags;
    public ulong ProgTags;
    public ulong RunTimeNs;
    public ulong RunCnt;
    public ulong RecursionMisses;
    public uint VerifiedInsns;
    public uint AttachBtfObjId;
    public uint AttachBtfId;
    private readonly uint _padding;
}
