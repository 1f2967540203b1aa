namespace Sluice.Bpf.Object;

/// <summary>libbpf's map pinning modes (the <c>pinning</c> field of a BTF-defined map).</summary>
public enum PinningType
{
    /// <summary>Not pinned.</summary>
    None = 0,
    /// <summary>LIBBPF_PIN_BY_NAME: pinned as &lt;pin root&gt;/&lt;map name&gt; and reused from there when present.</summary>
    ByName = 1,
}
