namespace Sluice.Bpf.Features;

/// <summary>What a feature probe found out about the running kernel.</summary>
public enum FeatureSupport
{
    /// <summary>The kernel accepted the probe.</summary>
    Supported,
    /// <summary>The kernel refused the probe: this kernel (or its configuration) lacks the feature.</summary>
    Unsupported,
    /// <summary>Not probed: the feature needs context a probe cannot make up (e.g. a BTF attach target).</summary>
    Unknown,
}
