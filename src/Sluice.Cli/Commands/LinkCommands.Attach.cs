using System.CommandLine;
using Sluice.Bpf;
using Sluice.Bpf.Object;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice link attach --prog PROG [TARGET] --pin PATH</c>: attaches a loaded tracing program through a bpf_link
/// pinned at PATH, so it stays after sluice exits. TARGET is written as libbpf's section names write it
/// (tracepoint/CATEGORY/NAME, raw_tp/NAME, uprobe/BINARY:FUNC[+OFF], kprobe/FUNC[+OFF], ...); a program loaded with a
/// BTF target (tp_btf, fentry, fexit, fmod_ret, lsm) needs none, because the kernel already knows it.
/// </summary>
internal static partial class LinkCommands
{
    private const string TargetForms =
        "tracepoint/CATEGORY/NAME, raw_tp/NAME, uprobe/BINARY:FUNC[+OFF], uretprobe/..., kprobe/FUNC[+OFF], kretprobe/FUNC, kprobe.multi/F1,F2";

    private static Command CreateAttach()
    {
        var program = NetOptions.Program();
        var target = new Argument<string?>("TARGET")
        {
            Description = "Where to attach, as a libbpf section name: " + TargetForms + ". Not needed for tp_btf/fentry/fexit/fmod_ret/lsm programs",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var pin = new Option<string>("--pin", "--pin-link") { Description = "bpffs path for the link (required: the link would detach when sluice exits)", Required = true };
        var json = NetOptions.AttachJson();
        var attach = new Command("attach", "Attach a tracing program (tracepoint, raw tracepoint, tp_btf, fentry/fexit, lsm, kprobe, uprobe) through a pinned bpf_link")
        {
            program, target, pin, json,
        };
        attach.SetAction(result => CommandRunner.Run(() =>
        {
            string path = NetOptions.CheckPinPath(result.GetValue(pin)!);
            string? where = result.GetValue(target);
            using var prog = ProgramResolver.Open(result.GetValue(program)!);
            var info = BpfProgramInfo.FromFd(prog.Fd);
            // Disposing the unpinned link detaches it, so a failed pin leaves nothing behind.
            using var link = Attach(prog, info, where);
            link.Pin(path);
            var details = link.GetInfo();
            string described = LinkTargets.Describe(details) ?? where ?? "its BTF target";
            if (result.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("link_id", details.Id);
                    writer.WriteString("type", Names.LinkType(details.Type));
                    writer.WriteNumber("prog_id", info.Id);
                    writer.WriteString("prog_name", info.Name);
                    writer.WriteString("target", described);
                    writer.WriteString("pin", path);
                    writer.WriteEndObject();
                });
            }
            else
            {
                Console.WriteLine($"attached program {info.Id} '{info.Name}' to {described} (link {details.Id} pinned at {path}); " +
                    $"stays while the pin exists; remove with `sluice link detach {path}`");
            }
            return 0;
        }));
        return attach;
    }

    private static BpfLink Attach(BpfProgram program, BpfProgramInfo info, string? where)
    {
        if (where is null)
        {
            if (info.Type is not (BpfProgramType.Tracing or BpfProgramType.Lsm))
                throw new CliError($"program '{info.Name}' is a {Names.ProgramType(info.Type)} program: name where to attach it ({TargetForms})");
            return TracingLink.Attach(program.Fd);
        }
        if (TracingSection.Parse(where) is null)
            throw new CliError($"'{where}' is not an attach target; write it as a section name: {TargetForms}");
        try
        {
            var attachment = TracingAttach.AttachBySection(program.Fd, where);
            // Every tracing attachment is a bpf_link (perf events through BPF_LINK_CREATE, 5.15).
            if (attachment is BpfLink link) return link;
            attachment.Dispose();
            throw new CliError($"'{where}' attached without a bpf_link on this kernel, so it cannot be pinned to outlive sluice");
        }
        // A malformed target, or a uprobe function the binary does not have (read from its ELF symbols).
        catch (Exception error) when (error is ArgumentException or FormatException or BpfObjectException)
        {
            throw new CliError(error.Message);
        }
    }
}
