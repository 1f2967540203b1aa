using Sluice.Bpf;

namespace Sluice.Programs.Guard;

/// <summary>How <see cref="GuardController.Attach"/> attaches the two stages.</summary>
public sealed record GuardAttachOptions
{
    /// <summary>XDP mode: best available (native when the driver has it), native, generic or offload.</summary>
    public XdpMode Mode { get; init; } = XdpMode.BestAvailable;

    /// <summary>Attach the TC ingress stage too (connection limits, decisions on XDP marks); default on.</summary>
    public bool Tc { get; init; } = true;
}
