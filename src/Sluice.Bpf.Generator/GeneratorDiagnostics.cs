using Microsoft.CodeAnalysis;

namespace Sluice.Bpf.Generator;

/// <summary>What the generator reports: an object it cannot read, a C type C# cannot mirror, a requested type it cannot find, two objects disagreeing on a shared type.</summary>
internal static class GeneratorDiagnostics
{
    private const string Category = "Sluice.Bpf.Generator";

    internal static readonly DiagnosticDescriptor UnreadableObject = new(
        "SLUICE001", "BPF object cannot be read",
        "BPF object '{0}' cannot be read: {1}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    internal static readonly DiagnosticDescriptor UnsupportedMember = new(
        "SLUICE002", "C member not mirrored in C#",
        "{0}: member '{1}' is not mirrored in C# ({2}); its bytes are kept as opaque storage so sizes and offsets still match",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    internal static readonly DiagnosticDescriptor TypeNotFound = new(
        "SLUICE003", "Requested BTF type not found",
        "BPF object '{0}' has no struct, union, enum or typedef named '{1}' in its BTF (listed in SluiceBpfTypes/Types); " +
        "clang keeps only types that globals, maps and function signatures use: anchor it with a global such as " +
        "'struct {1} *unused_{1} __attribute__((unused));'", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    internal static readonly DiagnosticDescriptor ConflictingType = new(
        "SLUICE004", "BPF objects disagree on a shared C type",
        "C# type '{0}' in namespace '{1}' is generated from {2} and {3}, whose BTF describe it differently; make the C agree, " +
        "or keep the objects' types apart (NestTypes=\"true\", another Namespace, or TypeNames)", Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
