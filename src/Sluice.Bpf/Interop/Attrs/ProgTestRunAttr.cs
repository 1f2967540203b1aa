using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>bpf_attr for BPF_PROG_TEST_RUN.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ProgTestRunAttr
{
    public uint ProgFd;
    /// <summary>Out: the program's return value.</summary>
    public uint Retval;
    public uint DataSizeIn;
    /// <summary>In: capacity of data_out (0 = unbounded, unsafe); out: the full output size.</summary>
    public uint DataSizeOut;
    public ulong DataIn;
    public ulong DataOut;
    public uint Repeat;
    /// <summary>Out: mean nanoseconds per run.</summary>
    public uint Duration;
    public uint CtxSizeIn;
    public uint CtxSizeOut;
    public ulong CtxIn;
    public ulong CtxOut;
    public uint Flags;
    public uint Cpu;
    public uint BatchSize;
}
