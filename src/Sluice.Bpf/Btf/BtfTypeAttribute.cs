namespace Sluice.Bpf;

/// <summary>
/// Marks a C# type that Sluice.Bpf.Generator wrote as the mirror of a BTF struct, union or enum, so tools and tests
/// can find every mirror and compare it with the object's BTF (size, members) without knowing the naming rules.
/// </summary>
/// <param name="cName">The C type as BTF names it, with its kind: "struct flow_key", "enum verdict".</param>
[AttributeUsage(AttributeTargets.Struct | AttributeTargets.Enum, Inherited = false)]
public sealed class BtfTypeAttribute(string cName) : Attribute
{
    /// <summary>The C type as BTF names it, with its kind ("struct flow_key").</summary>
    public string CName { get; } = cName;
}
