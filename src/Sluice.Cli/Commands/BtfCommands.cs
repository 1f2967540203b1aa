using System.CommandLine;
using System.Globalization;
using Sluice.Bpf;
using Sluice.Bpf.Object;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice btf dump (file FILE | id ID | map MAP | prog PROG) [format raw|c]</c>, like bpftool btf dump.</summary>
internal static class BtfCommands
{
    internal static Command Create()
    {
        var command = new Command("btf", "BPF Type Format: dump the types of a file, a kernel BTF object, a map's or a program's BTF");
        var dump = new Command("dump", "Print BTF types (bpftool's raw notation, or a C header with 'format c')");
        dump.Subcommands.Add(Source("file", "FILE", "A raw BTF file (e.g. /sys/kernel/btf/vmlinux) or an ELF object with a .BTF section", FromFile));
        dump.Subcommands.Add(Source("id", "ID", "A BTF object loaded in the kernel", text => FromId(ParseId(text, "BTF"))));
        dump.Subcommands.Add(Source("map", "MAP", "The BTF of a map (id, pinned path or name)", FromMap));
        dump.Subcommands.Add(Source("prog", "PROG", "The BTF of a program (id, pinned path or name)", FromProgram));
        command.Subcommands.Add(dump);
        return command;
    }

    private static Command Source(string name, string argument, string description, Func<string, (BtfSpec Btf, uint FirstId)> load)
    {
        var target = new Argument<string>(argument) { Description = description };
        var format = new Argument<string[]>("format") { Description = "Optional 'format raw' (the default) or 'format c'", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command(name, description) { target, format };
        command.SetAction(result => CommandRunner.Run(() =>
        {
            var words = result.GetValue(format) ?? [];
            if (words.Length > 0 && !(words.Length == 2 && words[0] == "format"))
                throw new CliError($"expected 'format raw' or 'format c' after the {name}, not '{string.Join(' ', words)}'");
            if (words.Length == 2 && words[1] is not ("raw" or "c"))
                throw new CliError($"format '{words[1]}' is not supported: sluice prints BTF as 'format raw' (bpftool's notation) or 'format c' (a C header)");
            var (btf, firstId) = load(result.GetValue(target)!);
            using var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
            if (words.Length == 2 && words[1] == "c") BtfCDump.Write(btf, output, firstId);
            else BtfRawDump.Write(btf, output, firstId);
            return 0;
        }));
        return command;
    }

    private static (BtfSpec, uint) FromFile(string path)
    {
        if (!File.Exists(path)) throw new CliError($"{path}: no such file");
        // Kernel module BTF in /sys/kernel/btf is split on vmlinux: show only the module's own types, like bpftool.
        bool module = Path.GetDirectoryName(Path.GetFullPath(path)) == "/sys/kernel/btf" && Path.GetFileName(path) != "vmlinux";
        var baseBtf = module ? KernelBtf.Vmlinux : null;
        var btf = BtfSpec.Load(path, baseBtf);
        return (btf, baseBtf is null ? 1u : (uint)baseBtf.Types.Count);
    }

    private static (BtfSpec, uint) FromId(uint id)
    {
        var btf = BpfBtfInfo.ReadSpec(id) ?? throw new CliError($"no BTF object with id {id}");
        uint first = 1;
        using (var fd = BpfBtfInfo.OpenById(id))
        {
            if (fd is not null && BpfBtfInfo.FromFd(fd) is { IsKernel: true, Name: not "vmlinux" }) first = (uint)KernelBtf.Vmlinux.Types.Count;
        }
        return (btf, first);
    }

    private static (BtfSpec, uint) FromMap(string target)
    {
        using var map = MapResolver.Open(target);
        uint id = map.GetInfo().BtfId;
        if (id == 0) throw new CliError($"map '{map.Name}' has no BTF");
        return FromId(id);
    }

    private static (BtfSpec, uint) FromProgram(string target)
    {
        var programs = ProgramResolver.Resolve(target);
        if (programs.Count > 1) throw new CliError($"{programs.Count} programs are named '{target}': pass an id");
        uint id = programs[0].BtfId;
        if (id == 0) throw new CliError($"program '{programs[0].Name}' has no BTF");
        return FromId(id);
    }

    private static uint ParseId(string text, string what) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint id) ? id : throw new CliError($"'{text}' is not a {what} id");
}
