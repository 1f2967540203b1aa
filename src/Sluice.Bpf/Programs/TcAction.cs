namespace Sluice.Bpf;

/// <summary>A TC (cls_bpf direct-action / TCX) program's verdict (TC_ACT_* in linux/pkt_cls.h).</summary>
public enum TcAction
{
    /// <summary>TC_ACT_UNSPEC (-1): use the default action (TCX: TCX_NEXT, run the next program).</summary>
    Unspecified = -1,
    /// <summary>TC_ACT_OK: let the packet continue.</summary>
    Ok = 0,
    /// <summary>TC_ACT_RECLASSIFY: restart classification.</summary>
    Reclassify = 1,
    /// <summary>TC_ACT_SHOT: drop.</summary>
    Shot = 2,
    /// <summary>TC_ACT_PIPE: run the next action.</summary>
    Pipe = 3,
    /// <summary>TC_ACT_STOLEN: consumed by the program.</summary>
    Stolen = 4,
    /// <summary>TC_ACT_QUEUED: queued for later.</summary>
    Queued = 5,
    /// <summary>TC_ACT_REPEAT: run the action again.</summary>
    Repeat = 6,
    /// <summary>TC_ACT_REDIRECT: sent where bpf_redirect*() said.</summary>
    Redirect = 7,
    /// <summary>TC_ACT_TRAP: hand to the hardware trap path.</summary>
    Trap = 8,
}
