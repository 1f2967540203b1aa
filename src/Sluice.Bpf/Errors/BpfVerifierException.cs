namespace Sluice.Bpf;

/// <summary>
/// The verifier rejected a program. <see cref="Exception.Message"/> is the cause, then the failing C line,
/// instruction and a hint (<see cref="Diagnostic"/>); <see cref="VerifierLog"/> keeps the whole log.
/// </summary>
public class BpfVerifierException : BpfException
{
    /// <summary>Creates the exception.</summary>
    public BpfVerifierException(string programName, int errno, string message, string verifierLog)
        : base("BPF_PROG_LOAD", errno, message)
    {
        ProgramName = programName;
        VerifierLog = verifierLog;
    }

    /// <summary>The program that was rejected.</summary>
    public string ProgramName { get; }

    /// <summary>The verifier's full log.</summary>
    public string VerifierLog { get; }

    /// <summary>The log read for people: failing C line, instruction, reason and hint (null when not parsed).</summary>
    public Diagnostics.VerifierDiagnostic? Diagnostic { get; init; }
}
