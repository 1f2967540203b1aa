namespace Sluice.Bpf;

/// <summary>Receives one bpf_perf_event_output record: the CPU it was written on and its bytes, valid only during the call.</summary>
public delegate void PerfRecordHandler(int cpu, ReadOnlySpan<byte> record);
