using System.Globalization;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary>Finds programs the way bpftool's PROG argument does: an id, a pinned path, or a name.</summary>
internal static class ProgramResolver
{
    internal static IReadOnlyList<BpfProgramInfo> Resolve(string target)
    {
        if (uint.TryParse(target.StartsWith("id:", StringComparison.Ordinal) ? target[3..] : target,
                NumberStyles.None, CultureInfo.InvariantCulture, out uint id))
        {
            var info = BpfProgramInfo.FromId(id) ?? throw new CliError($"no program with id {id}");
            return [info];
        }
        if (target.Contains('/', StringComparison.Ordinal))
        {
            using var program = Open(target);
            return [BpfProgramInfo.FromFd(program.Fd)];
        }
        string name = target.StartsWith("name:", StringComparison.Ordinal) ? target[5..] : target;
        var matches = BpfProgramInfo.All().Where(p => p.Name == name).ToList();
        if (matches.Count == 0) throw new CliError($"no loaded program named '{name}'");
        return matches;
    }

    /// <summary>Opens a program from a pinned path or an id.</summary>
    internal static BpfProgram Open(string target)
    {
        if (uint.TryParse(target.StartsWith("id:", StringComparison.Ordinal) ? target[3..] : target,
                NumberStyles.None, CultureInfo.InvariantCulture, out uint id))
        {
            if (BpfProgramInfo.FromId(id) is null) throw new CliError($"no program with id {id}");
            return BpfProgram.FromId(id);
        }
        if (!File.Exists(target)) throw new CliError($"{target}: no such pinned program");
        return BpfProgram.OpenPinned(target);
    }
}
