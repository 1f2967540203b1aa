namespace Sluice.Bpf;

/// <summary>How to attach a cgroup program.</summary>
public enum CgroupAttachMethod
{
    /// <summary>A bpf_link when the kernel has cgroup links (5.7), otherwise BPF_PROG_ATTACH.</summary>
    Auto,
    /// <summary>Only a bpf_link (Linux 5.7): detaches when the last fd or pin goes.</summary>
    Link,
    /// <summary>Only BPF_PROG_ATTACH with BPF_F_ALLOW_MULTI (Linux 4.15): stays until detached.</summary>
    ProgramAttach,
}
