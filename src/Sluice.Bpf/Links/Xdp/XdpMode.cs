namespace Sluice.Bpf;

/// <summary>Where an XDP program runs. The values are the kernel's XDP_FLAGS_*_MODE bits.</summary>
public enum XdpMode : uint
{
    /// <summary>Let the kernel choose: native when the driver supports it, else generic.</summary>
    BestAvailable = 0,
    /// <summary>Generic (skb) mode: runs after the skb is built; works on every interface (Linux 4.12).</summary>
    Generic = 2,
    /// <summary>Native (driver) mode: runs in the driver before the skb exists (Linux 4.8; veth 4.19).</summary>
    Native = 4,
    /// <summary>Offload (hardware) mode: runs on the NIC; needs an offload-capable NIC and a device-bound program.</summary>
    Offload = 8,
}
