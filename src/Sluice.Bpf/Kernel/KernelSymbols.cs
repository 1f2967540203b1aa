using System.Globalization;

namespace Sluice.Bpf;

/// <summary>
/// Kernel function names by address, from /proc/kallsyms (read once, on first use; addresses are visible to root
/// only). Verifier-translated programs call helpers by their offset from __bpf_call_base: this names them.
/// </summary>
internal static class KernelSymbols
{
    private static readonly Lazy<(Dictionary<ulong, string> Names, ulong CallBase)> Table = new(Read);

    /// <summary>The function a translated call with immediate <paramref name="immediate"/> reaches, or null.</summary>
    internal static string? HelperAt(int immediate)
    {
        var (names, callBase) = Table.Value;
        if (callBase == 0) return null;
        return names.GetValueOrDefault(unchecked(callBase + (ulong)(long)immediate));
    }

    /// <summary>The function at exactly <paramref name="address"/>, or null.</summary>
    internal static string? At(ulong address) => Table.Value.Names.GetValueOrDefault(address);

    private static (Dictionary<ulong, string>, ulong) Read()
    {
        var names = new Dictionary<ulong, string>();
        ulong callBase = 0;
        try
        {
            foreach (string line in File.ReadLines("/proc/kallsyms"))
            {
                // "ffffffff81234560 T name [module]"
                var parts = line.Split([' ', '\t'], 4, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 3 || parts[1] is not ("T" or "t" or "W" or "w")) continue;
                if (!ulong.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong address) || address == 0) continue;
                names.TryAdd(address, parts[2]);
                if (parts[2] == "__bpf_call_base") callBase = address;
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // No names: calls print as "unknown#imm", like bpftool without kallsyms.
        }
        return (names, callBase);
    }
}
