using System.Globalization;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary>Finds a map the way bpftool's MAP argument does: an id, a pinned path, or a unique name.</summary>
internal static class MapResolver
{
    internal static BpfMap Open(string target)
    {
        if (uint.TryParse(target.StartsWith("id:", StringComparison.Ordinal) ? target[3..] : target,
                NumberStyles.None, CultureInfo.InvariantCulture, out uint id))
        {
            if (BpfMapInfo.FromId(id) is null) throw new CliError($"no map with id {id}");
            return BpfMap.FromId(id);
        }
        if (target.Contains('/', StringComparison.Ordinal))
        {
            if (!File.Exists(target)) throw new CliError($"{target}: no such pinned map");
            return BpfMap.OpenPinned(target);
        }
        string name = target.StartsWith("name:", StringComparison.Ordinal) ? target[5..] : target;
        var matches = BpfMapInfo.All().Where(m => m.Name == name).ToList();
        return matches.Count switch
        {
            0 => throw new CliError($"no loaded map named '{name}'"),
            1 => BpfMap.FromId(matches[0].Id),
            _ => throw new CliError($"{matches.Count} maps are named '{name}' (ids {string.Join(", ", matches.Select(m => m.Id))}); give an id or a pinned path"),
        };
    }

    /// <summary>Socket programs attach only to SOCKMAP and SOCKHASH.</summary>
    internal static void EnsureSocketMap(BpfMap map)
    {
        if (map.Type is not (Bpf.Object.BpfMapType.SockMap or Bpf.Object.BpfMapType.SockHash))
            throw new CliError($"map '{map.Name}' is a {Names.MapType(map.Type)}; socket programs attach to a sockmap or sockhash");
    }

    /// <summary>Map types whose elements cannot be read by key from user space.</summary>
    internal static bool IsKeyless(BpfMap map) =>
        map.Type is Bpf.Object.BpfMapType.RingBuf or Bpf.Object.BpfMapType.UserRingBuf or Bpf.Object.BpfMapType.PerfEventArray
            or Bpf.Object.BpfMapType.Queue or Bpf.Object.BpfMapType.Stack or Bpf.Object.BpfMapType.BloomFilter
            or Bpf.Object.BpfMapType.StructOps or Bpf.Object.BpfMapType.Arena;

    /// <summary>Why <paramref name="operation"/> finds nothing in a keyless map (see <see cref="IsKeyless"/>).</summary>
    internal static string KeylessReason(BpfMap map, string operation) =>
        $"map '{map.Name}' is a {Names.MapType(map.Type)}: it has no keys to {operation}";

    /// <summary>Refuses a keyed operation on a keyless map (see <see cref="IsKeyless"/>).</summary>
    internal static void EnsureKeyed(BpfMap map, string operation)
    {
        if (IsKeyless(map)) throw new CliError(KeylessReason(map, operation));
    }
}
