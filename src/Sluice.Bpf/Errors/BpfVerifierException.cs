namespace Sluice.Bpf;

/// <summary>
/// The verifier rejected a program. <see cref="Exception.Message"/> is the cause plus the last meaningful log
/// lines; <see cref="VerifierLog"/> keeps the whole log.
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
}
