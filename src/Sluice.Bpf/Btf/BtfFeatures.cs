namespace Sluice.Bpf;

/// <summary>
/// Which BTF kinds the running kernel accepts. The sanitiser rewrites what is missing into older kinds, so one
/// object loads on every kernel from 4.18 on.
/// </summary>
internal sealed record BtfFeatures
{
    /// <summary>Everything a 6.0+ kernel accepts.</summary>
    internal static readonly BtfFeatures All = new()
    {
        Loadable = true, Func = true, GlobalFunc = true, DataSec = true, Float = true, DeclTag = true, TypeTag = true, Enum64 = true,
    };

    /// <summary>BPF_BTF_LOAD exists at all (4.18).</summary>
    public bool Loadable { get; init; }
    /// <summary>FUNC and FUNC_PROTO (5.0); without them there is no func_info/line_info either.</summary>
    public bool Func { get; init; }
    /// <summary>FUNC with global/extern linkage in vlen (5.6).</summary>
    public bool GlobalFunc { get; init; }
    /// <summary>VAR and DATASEC (5.2).</summary>
    public bool DataSec { get; init; }
    /// <summary>FLOAT (5.13).</summary>
    public bool Float { get; init; }
    /// <summary>DECL_TAG (5.16).</summary>
    public bool DeclTag { get; init; }
    /// <summary>TYPE_TAG (5.17).</summary>
    public bool TypeTag { get; init; }
    /// <summary>ENUM64 and the signed-enum kind_flag (6.0).</summary>
    public bool Enum64 { get; init; }

    /// <summary>Names of the missing features, for the collection's warnings.</summary>
    internal IEnumerable<string> Missing()
    {
        if (!Func) yield return "BTF FUNC (5.0)";
        if (!GlobalFunc) yield return "BTF global functions (5.6)";
        if (!DataSec) yield return "BTF VAR/DATASEC (5.2)";
        if (!Float) yield return "BTF FLOAT (5.13)";
        if (!DeclTag) yield return "BTF DECL_TAG (5.16)";
        if (!TypeTag) yield return "BTF TYPE_TAG (5.17)";
        if (!Enum64) yield return "BTF ENUM64 (6.0)";
    }
}
