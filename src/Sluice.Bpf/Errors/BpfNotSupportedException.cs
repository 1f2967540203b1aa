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

    /// <summary>Creates the exception for a feature this kernel lacks for a reason other than its age (configuration, policy).</summary>
    /// <param name="feature">What is missing.</param>
    /// <param name="minimumKernel">The first kernel version that has it.</param>
    /// <param name="reason">Why this kernel does not offer it although it is new enough, as a clause.</param>
    public BpfNotSupportedException(string feature, string minimumKernel, string reason)
        : base($"{feature} is not available on this kernel: {reason} (the feature exists since Linux {minimumKernel})")
    {
        Feature = feature;
        MinimumKernel = minimumKernel;
        Reason = reason;
    }

    /// <summary>Why the feature is missing when it is not the kernel's age (e.g. a configuration option), else null.</summary>
    public string? Reason { get; }

    /// <summary>What is missing.</summary>
    public string Feature { get; }

    /// <summary>The first kernel version that has it, e.g. "5.7".</summary>
    public string MinimumKernel { get; }
}
