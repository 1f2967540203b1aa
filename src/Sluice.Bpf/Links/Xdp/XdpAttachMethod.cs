namespace Sluice.Bpf;

/// <summary>How to attach an XDP program.</summary>
public enum XdpAttachMethod
{
    /// <summary>A bpf_link when the kernel has XDP links (5.9), otherwise netlink.</summary>
    Auto,
    /// <summary>Only a bpf_link (Linux 5.9): the program detaches when the last fd or pin goes.</summary>
    Link,
    /// <summary>Only netlink IFLA_XDP (Linux 4.8): the attachment stays until someone detaches it.</summary>
    Netlink,
}
