using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>struct bpf_line_info: what BPF_PROG_LOAD's line_info points at (record size 16).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LineInfoRecord
{
    public uint InsnOff;
    public uint FileNameOff;
    public uint LineOff;
    public uint LineCol;
}
