namespace Sluice.Bpf;

/// <summary>How to attach a TC program.</summary>
public enum TcAttachMethod
{
    /// <summary>TCX when the kernel has it (6.6), otherwise a clsact + cls_bpf filter.</summary>
    Auto,
    /// <summary>Only TCX (Linux 6.6).</summary>
    Tcx,
    /// <summary>Only the legacy clsact qdisc + cls_bpf direct-action filter (Linux 4.5).</summary>
    Filter,
}
