namespace Sluice.Bpf;

/// <summary>Flags of BPF_MAP_UPDATE_ELEM.</summary>
[Flags]
public enum MapUpdateFlags : ulong
{
    /// <summary>BPF_ANY: create or replace.</summary>
    Any = 0,
    /// <summary>BPF_NOEXIST: create only; fails with EEXIST when the key is present.</summary>
    NoExist = 1,
    /// <summary>BPF_EXIST: replace only; fails with ENOENT when the key is absent.</summary>
    Exist = 2,
    /// <summary>BPF_F_LOCK: update under the value's bpf_spin_lock.</summary>
    Lock = 4,
}
