namespace Sluice.Bpf;

/// <summary>BTF type kinds (BTF_KIND_* in uapi/linux/btf.h) with the first kernel that accepts each.</summary>
internal enum BtfKind
{
    Unknown = 0,
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
    Func = 12,
    /// <summary>Linux 5.0.</summary>
    FuncProto = 13,
    /// <summary>Linux 5.2.</summary>
    Var = 14,
    /// <summary>Linux 5.2.</summary>
    DataSec = 15,
    /// <summary>Linux 5.13.</summary>
    Float = 16,
    /// <summary>Linux 5.16.</summary>
    DeclTag = 17,
    /// <summary>Linux 5.17.</summary>
    TypeTag = 18,
    /// <summary>Linux 6.0.</summary>
    Enum64 = 19,
}
