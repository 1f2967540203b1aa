namespace Sluice.Bpf.Diagnostics;

/// <summary>The common causes of a verifier rejection that <see cref="VerifierDiagnostic"/> recognises and gives a hint for.</summary>
public enum VerifierFailureKind
{
    /// <summary>None of the recognised causes: read the reason and the log.</summary>
    Other,
    /// <summary>Packet data read or written without a bounds check against data_end.</summary>
    PacketBounds,
    /// <summary>A map lookup's result used without a NULL check.</summary>
    NullMapValue,
    /// <summary>A loop the verifier cannot prove finite (or a program too large to verify).</summary>
    UnboundedLoop,
    /// <summary>A context (ctx) field accessed in a way this program type does not allow.</summary>
    ContextAccess,
    /// <summary>A stack access outside the variable or the frame.</summary>
    StackBounds,
    /// <summary>A helper this program type (or this kernel) does not offer.</summary>
    HelperNotAllowed,
    /// <summary>A GPL-only helper called from a program whose license is not GPL-compatible.</summary>
    GplOnlyHelper,
}
