using System.Globalization;

namespace Sluice.Bpf;

/// <summary>
/// /proc/kallsyms, read once on first use (addresses are visible to root only): function names by address, which
/// name the helpers a verifier-translated program calls by their offset from __bpf_call_base, and addresses by name,
/// which resolve typeless .ksyms externs (the first name wins, as in libbpf's ksym lookup).
/// </summary>
internal static class KernelSymbols
{
    private sealed record Tables(Dictionary<ulong, string> FunctionsByAddress, Dictionary<string, ulong> AddressesByName, ulong CallBase);

    private static readonly Lazy<Tables> Table = new(Read);

    /// <summary>The function a translated call with immediate <paramref name="immediate"/> reaches, or null.</summary>
    internal static string? HelperAt(int immediate)
    {
        var table = Table.Value;
        if (table.CallBase == 0) return null;
        return table.FunctionsByAddress.GetValueOrDefault(unchecked(table.CallBase + (ulong)(long)immediate));
    }

    /// <summary>The function at exactly <paramref name="address"/>, or null.</summary>
    internal static string? At(ulong address) => Table.Value.FunctionsByAddress.GetValueOrDefault(address);

    /// <summary>The address of kernel symbol <paramref name="name"/>; 0 when unknown or hidden.</summary>
    internal static ulong Address(string name) => Table.Value.AddressesByName.TryGetValue(name, out ulong address) ? address : 0;

    /// <summary>True when every address reads as 0 (kptr_restrict hides them from this process).</summary>
    internal static bool AddressesHidden =>
        Table.Value.AddressesByName.Count > 0 && Table.Value.AddressesByName.Values.All(a => a == 0);

    private static Tables Read()
    {
        var functions = new Dictionary<ulong, string>();
        var addresses = new Dictionary<string, ulong>(StringComparer.Ordinal);
        ulong callBase = 0;
        try
        {
            foreach (string line in File.ReadLines("/proc/kallsyms"))
            {
                // "ffffffff81234560 T name [module]"
                var parts = line.Split([' ', '\t'], 4, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 3 || !ulong.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong address)) continue;
                addresses.TryAdd(parts[2], address);
                if (address == 0 || parts[1] is not ("T" or "t" or "W" or "w")) continue;
                functions.TryAdd(address, parts[2]);
                if (parts[2] == "__bpf_call_base") callBase = address;
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // No kallsyms: calls print as "unknown#imm" (like bpftool without kallsyms) and typeless ksyms are missing.
        }
        return new Tables(functions, addresses, callBase);
    }
}
