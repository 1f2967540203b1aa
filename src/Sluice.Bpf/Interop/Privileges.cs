using System.Runtime.InteropServices;

namespace Sluice.Bpf.Interop;

/// <summary>Whether this process runs as root, which tells a missing kernel feature (EPERM as root) from missing rights.</summary>
internal static partial class Privileges
{
    /// <summary>True when the effective uid is 0.</summary>
    internal static bool IsRoot => GetEffectiveUid() == 0;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUid();
}
