namespace Sluice.Bpf;

/// <summary>A batch operation stopped part way; <see cref="Processed"/> says how many elements were done before the failure.</summary>
public class BpfBatchException : BpfException
{
    /// <summary>Creates the exception.</summary>
    public BpfBatchException(string command, int errno, string message, int processed)
        : base(command, errno, message) => Processed = processed;

    /// <summary>Elements (from the start of the input) that the kernel processed before it stopped.</summary>
    public int Processed { get; }
}
