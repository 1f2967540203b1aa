using System.CommandLine;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

internal static partial class ProgCommands
{
    private static Command CreateDump()
    {
        var dump = new Command("dump", "Dump a loaded program's instructions");
        var target = new Argument<string>("PROG") { Description = "Program id, pinned path, or name" };
        var linum = new Option<bool>("--linum") { Description = "Show the source file, line and column with each source line" };
        var json = CommonOptions.Json();
        var xlated = new Command("xlated", "The verifier-translated instructions, with the C source line above them (bpftool's notation)")
        {
            target, linum, json,
        };
        xlated.SetAction(result => CommandRunner.Run(() =>
        {
            using var program = OpenOne(result.GetValue(target)!);
            var code = XlatedProgram.Read(program.Fd);
            if (result.GetValue(json)) JsonOutput.Write(writer => XlatedDump.WriteJson(writer, code, result.GetValue(linum)));
            else XlatedDump.WriteText(Console.Out, code, result.GetValue(linum));
            return 0;
        }));
        dump.Subcommands.Add(xlated);
        return dump;
    }

    /// <summary>Exactly one program: a name that several loaded programs share must be narrowed to an id.</summary>
    private static BpfProgram OpenOne(string target)
    {
        var matches = ProgramResolver.Resolve(target);
        if (matches.Count > 1)
            throw new CliError($"{matches.Count} programs are named '{target}' (ids {string.Join(", ", matches.Select(m => m.Id))}): pass an id");
        return ProgramResolver.Open(matches[0].Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
