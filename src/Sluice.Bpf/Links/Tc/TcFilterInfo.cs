namespace Sluice.Bpf;

/// <summary>A cls_bpf filter on a clsact hook (RTM_GETTFILTER dump).</summary>
/// <param name="InterfaceIndex">The interface.</param>
/// <param name="Direction">Ingress or egress.</param>
/// <param name="Priority">The filter's priority (preference); lower runs first.</param>
/// <param name="Handle">The filter's handle within its priority.</param>
/// <param name="ProgramId">The BPF program it runs (TCA_BPF_ID, Linux 4.13), 0 when not reported.</param>
/// <param name="Name">The name given at attach (TCA_BPF_NAME), e.g. "prog.o:[tc]" from tc(8), or the program name from Sluice.</param>
/// <param name="DirectAction">Whether the filter runs in direct-action mode (the program's return value is the verdict).</param>
public sealed record TcFilterInfo(int InterfaceIndex, TcDirection Direction, ushort Priority, uint Handle, uint ProgramId, string? Name, bool DirectAction);
