using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>What the kernel reports about a link (BPF_OBJ_GET_INFO_BY_FD on a link, Linux 5.8).</summary>
/// <param name="Id">The link's id.</param>
/// <param name="Type">The link type.</param>
/// <param name="ProgramId">The attached program's id (0 once the link is detached).</param>
/// <param name="InterfaceIndex">For XDP and TCX links: the interface index (0 once the interface is gone).</param>
/// <param name="AttachType">For TCX and cgroup links: the attach type.</param>
public sealed record BpfLinkInfo(uint Id, BpfLinkType Type, uint ProgramId, int? InterfaceIndex, BpfAttachType? AttachType);
