namespace Sluice.Bpf.Object;
// Members mirror BTF_KIND_* in uapi/linux/btf.h one-to-one.
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
    Function = 12,
    FunctionProto = 13,
    Variable = 14,
    DataSection = 15,
    Float = 16,
    DeclarationTag = 17,
    TypeTag = 18,
    Enum64 = 19,
}
