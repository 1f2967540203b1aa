namespace Sluice.Bpf.Diagnostics;

/// <summary>Recognises the common verifier reasons by the kernel's own wording and says in one line what usually fixes them.</summary>
internal static class VerifierHints
{
    // Ordered: a NULL map value is reported as an "invalid mem access", so it must win over broader patterns.
    private static readonly (VerifierFailureKind Kind, string[] Patterns, string Hint)[] Rules =
    [
        (VerifierFailureKind.GplOnlyHelper, ["cannot call GPL-restricted function"],
            "this helper is GPL-only: give the object a GPL-compatible license, e.g. char LICENSE[] SEC(\"license\") = \"GPL\";"),
        (VerifierFailureKind.HelperNotAllowed, ["program of this type cannot use helper", "unknown func"],
            "this program type (or this kernel) does not offer that helper: use a program type that allows it, or another helper"),
        (VerifierFailureKind.NullMapValue, ["map_value_or_null"],
            "bpf_map_lookup_elem() may return NULL: test the pointer (if (!value) return ...;) before using it"),
        (VerifierFailureKind.PacketBounds, ["invalid access to packet", "outside of the packet"],
            "compare the pointer with data_end before this access: if ((void *)(header + 1) > data_end) return ...;"),
        (VerifierFailureKind.ContextAccess, ["invalid bpf_context access"],
            "this program type cannot access that context field this way: check the field, its access size and whether it is writable"),
        (VerifierFailureKind.UnboundedLoop, ["infinite loop detected", "back-edge", "BPF program is too large", "loop is not bounded"],
            "the verifier must see every loop end: bound it by a constant (for (int i = 0; i < MAX; i++)) or use bpf_loop()"),
        (VerifierFailureKind.StackBounds, ["stack out of bounds", "invalid write to stack", "invalid read from stack",
            "invalid indirect read from stack", "invalid indirect access to stack", "invalid stack"],
            "the access leaves its stack variable: make the buffer as large as the helper or map expects (e.g. the key size) and initialise it"),
    ];

    /// <summary>The cause and hint for the verifier's reason lines; <see cref="VerifierFailureKind.Other"/> and null when unrecognised.</summary>
    internal static (VerifierFailureKind Kind, string? Hint) Classify(IEnumerable<string> reasonLines)
    {
        var lines = reasonLines as IReadOnlyCollection<string> ?? [.. reasonLines];
        foreach (var (kind, patterns, hint) in Rules)
            foreach (var line in lines)
                foreach (var pattern in patterns)
                    if (line.Contains(pattern, StringComparison.Ordinal)) return (kind, hint);
        return (VerifierFailureKind.Other, null);
    }
}
