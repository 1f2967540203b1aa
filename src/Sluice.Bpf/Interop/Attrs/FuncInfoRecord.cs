using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>struct bpf_func_info: what BPF_PROG_LOAD's func_info points at (record size 8).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuncInfoRecord
{
    public uint InsnOff;
    public uint TypeId;
}
