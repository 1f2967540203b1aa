using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>A program attached directly to a cgroup hook.</summary>
/// <param name="CgroupPath">The cgroup directory.</param>
/// <param name="AttachType">The hook.</param>
/// <param name="ProgramId">The program.</param>
/// <param name="ProgramName">Its kernel name (empty when unknown).</param>
public sealed record CgroupAttachmentInfo(string CgroupPath, BpfAttachType AttachType, uint ProgramId, string ProgramName);
