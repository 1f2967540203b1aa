namespace Sluice.Bpf.Object;
// Members mirror BTF_KIND_* in uapi/linux/btf.h one-to-one; the first kernel to accept each is noted where it
// is later than BTF itself (4.18), because the loader rewrites kinds an older kernel would refuse.
#pragma warning disable CS1591

/// <summary>The kind of a BTF type (BTF_KIND_* in uapi/linux/btf.h).</summary>
public enum BtfKind
{
    Void = 0,
    Int = 1,
    Pointer = 2,
    Array = 3,
    Struct = 4,
    Union = 5,
    Enum = 6,
    Forward = 7,
    Typedef = 8,
    Volatile = 9,
    Const = 10,
    Restrict = 11,
    /// <summary>Linux 5.0.</summary>
    Function = 12,
    /// <summary>Linux 5.0.</summary>
    FunctionProto = 13,
    /// <summary>Linux 5.2.</summary>
    Variable = 14,
    /// <summary>Linux 5.2.</summary>
    DataSection = 15,
    /// <summary>Linux 5.13.</summary>
    Float = 16,
    /// <summary>Linux 5.16.</summary>
    DeclarationTag = 17,
    /// <summary>Linux 5.17.</summary>
    TypeTag = 18,
    /// <summary>Linux 6.0.</summary>
    Enum64 = 19,
}
