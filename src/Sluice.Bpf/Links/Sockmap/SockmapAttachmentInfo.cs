using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>A program attached to a socket map.</summary>
/// <param name="MapId">The SOCKMAP/SOCKHASH.</param>
/// <param name="MapName">Its kernel name.</param>
/// <param name="AttachType">The hook (SkMsgVerdict, SkSkbStreamParser, SkSkbStreamVerdict, SkSkbVerdict).</param>
/// <param name="ProgramId">The program.</param>
/// <param name="ProgramName">Its kernel name (empty when unknown).</param>
/// <param name="LinkId">The link holding it, when one does.</param>
public sealed record SockmapAttachmentInfo(uint MapId, string MapName, BpfAttachType AttachType, uint ProgramId, string ProgramName, uint? LinkId);
