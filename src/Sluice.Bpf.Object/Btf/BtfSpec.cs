namespace Sluice.Bpf.Object;

/// <summary>
/// Parsed BTF of an object: the raw blob (as the kernel's BPF_BTF_LOAD wants it, fixed up), its types and strings.
/// </summary>
public sealed partial class BtfSpec
{
    /// <summary>The BTF blob to hand to the kernel (header, types, strings), with DATASEC fix-ups applied.</summary>
    public required byte[] RawData { get; init; }
}
