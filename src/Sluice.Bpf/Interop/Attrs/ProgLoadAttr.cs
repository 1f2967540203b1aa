using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_PROG_LOAD (layout of Linux 6.x; older kernels accept it while the tail is zero).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ProgLoadAttr
{
    public uint ProgType;
    public uint InsnCnt;
    public ulong Insns;
    public ulong License;
    public uint LogLevel;
    public uint LogSize;
    public ulong LogBuf;
    public uint KernVersion;
    public uint ProgFlags;
    public fixed byte ProgName[16];
    public uint ProgIfIndex;
    public uint ExpectedAttachType;
    public uint ProgBtfFd;
    public uint FuncInfoRecSize;
    public ulong FuncInfo;
    public uint FuncInfoCnt;
    public uint LineInfoRecSize;
    public ulong LineInfo;
    public uint LineInfoCnt;
    public uint AttachBtfId;
    /// <summary>attach_prog_fd or attach_btf_obj_fd.</summary>
    public uint AttachProgFd;
    public uint CoreReloCnt;
    public ulong FdArray;
    public ulong CoreRelos;
    public uint CoreReloRecSize;
    /// <summary>Out (6.4+): the log size the verifier needed, so a retry can size its buffer exactly.</summary>
    public uint LogTrueSize;
    public int ProgTokenFd;
    public uint FdArrayCnt;
}
