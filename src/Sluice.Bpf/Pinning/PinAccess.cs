namespace Sluice.Bpf;

/// <summary>Access requested when opening a pinned object (file_flags of BPF_OBJ_GET, Linux 4.15).</summary>
public enum PinAccess : uint
{
    /// <summary>Read and write.</summary>
    ReadWrite = 0,
    /// <summary>BPF_F_RDONLY: lookups only; updates fail with EPERM.</summary>
    ReadOnly = 1 << 3,
    /// <summary>BPF_F_WRONLY: updates only; lookups fail with EPERM.</summary>
    WriteOnly = 1 << 4,
}
