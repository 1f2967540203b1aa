namespace Sluice.Bpf;

/// <summary>The running kernel lacks a feature; names the feature and the first kernel that has it.</summary>
public class BpfNotSupportedException : NotSupportedException
{
    /// <summary>Creates the exception.</summary>
    public BpfNotSupportedException(string feature, string minimumKernel)
        : base($"{feature} is not supported by this kernel (needs Linux {minimumKernel} or later)")
    {
        Feature = feature;
        MinimumKernel = minimumKernel;
    }

    /// <summary>What is missing.</summary>
    public string Feature { get; }

    /// <summary>The first kernel version that has it, e.g. "5.7".</summary>
    public string MinimumKernel { get; }
}
