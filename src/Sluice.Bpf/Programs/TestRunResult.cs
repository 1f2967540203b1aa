namespace Sluice.Bpf;

/// <summary>What one BPF_PROG_TEST_RUN reported.</summary>
public readonly record struct TestRunResult
{
    /// <summary>The program's return value (for XDP and TC: the verdict).</summary>
    public uint ReturnValue { get; init; }

    /// <summary>Size of the packet after the program ran (it may have grown or shrunk it), whether or not it fit the output buffer.</summary>
    public int DataOutLength { get; init; }

    /// <summary>True when the output buffer was smaller than <see cref="DataOutLength"/> and only its size was copied.</summary>
    public bool DataOutTruncated { get; init; }

    /// <summary>Bytes of context the kernel wrote back (0 when no context output was asked for).</summary>
    public int ContextOutLength { get; init; }

    /// <summary>Mean run time per repetition in nanoseconds, as the kernel measured it.</summary>
    public uint DurationNanoseconds { get; init; }

    /// <summary>Mean run time per repetition.</summary>
    public TimeSpan Duration => TimeSpan.FromTicks(DurationNanoseconds / 100);

    /// <summary>The return value as an XDP verdict.</summary>
    public XdpAction XdpAction => (XdpAction)ReturnValue;

    /// <summary>The return value as a TC verdict.</summary>
    public TcAction TcAction => (TcAction)(int)ReturnValue;
}
