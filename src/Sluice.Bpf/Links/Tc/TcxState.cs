namespace Sluice.Bpf;

/// <summary>The TCX programs on one hook in run order (BPF_PROG_QUERY, Linux 6.6).</summary>
/// <param name="InterfaceIndex">The interface.</param>
/// <param name="Direction">Ingress or egress.</param>
/// <param name="Revision">The hook's revision; it changes with every attach and detach.</param>
/// <param name="Programs">The programs, first to run first.</param>
public sealed record TcxState(int InterfaceIndex, TcDirection Direction, ulong Revision, IReadOnlyList<TcxEntry> Programs);

/// <summary>One program on a TCX hook.</summary>
/// <param name="ProgramId">The program.</param>
/// <param name="LinkId">The link that holds it (null for programs attached with BPF_PROG_ATTACH).</param>
public readonly record struct TcxEntry(uint ProgramId, uint? LinkId);
