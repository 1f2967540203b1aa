using System.Runtime.InteropServices;

namespace Sluice.Bpf.Tests.Tracing;

/// <summary>struct counts of tests/Fixtures/tracing.bpf.c.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TracingCounts
{
    public ulong BtfTracepoint;
    public ulong RawTracepoint;
    public ulong Tracepoint;
    public ulong Uprobe;
}

/// <summary>struct perf_record of tests/Fixtures/tracing.bpf.c.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PerfRecord
{
    public ulong Sequence;
    public uint PacketLength;
    public uint Magic;
}

internal static partial class ThreadId
{
    /// <summary>The kernel's id of the calling thread (what bpf_get_current_pid_tgid's low half holds).</summary>
    internal static uint Current => (uint)GetTid();

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
