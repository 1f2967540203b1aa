using System.CommandLine;
using System.Diagnostics;
using Sluice.Bpf;
using Sluice.Bpf.Features;
using Sluice.Bpf.Object;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice feature</c>: what this kernel supports, like `bpftool feature probe`: program types, map types, attach
/// kinds, and the helpers each networking program type may call (only those: every helper for every type would be
/// thousands of loads).
/// </summary>
internal static class FeatureCommand
{
    private sealed record Report(
        List<(string Name, FeatureSupport Support)> ProgramTypes,
        List<(string Name, FeatureSupport Support)> MapTypes,
        List<(string Name, FeatureSupport Support)> AttachKinds,
        List<(string ProgramType, List<string> Helpers)> Helpers,
        long ProbeMilliseconds);

    internal static Command Create()
    {
        var json = CommonOptions.Json();
        var feature = new Command("feature",
            "Probe this kernel: program types, map types, attach kinds (XDP/TCX/cgroup/sockmap links, netlink, BPF_PROG_ATTACH) " +
            "and the helpers each networking program type may call")
        {
            json,
        };
        feature.SetAction(result => CommandRunner.Run(() =>
        {
            var report = Probe();
            if (result.GetValue(json)) WriteJson(report);
            else WriteText(report);
            return 0;
        }));
        return feature;
    }

    private static Report Probe()
    {
        var clock = Stopwatch.StartNew();
        var programTypes = Enum.GetValues<BpfProgramType>().Where(t => t != BpfProgramType.Unspecified)
            .Select(t => (Names.ProgramType(t), BpfFeatures.ProgramType(t))).ToList();
        var mapTypes = Enum.GetValues<BpfMapType>().Where(t => t != BpfMapType.Unspecified)
            .Select(t => (Names.MapType(t), BpfFeatures.MapType(t))).ToList();
        var attachKinds = Enum.GetValues<AttachmentKind>().Where(k => k != AttachmentKind.OtherLink)
            .Select(k => (Names.AttachmentKind(k), BpfFeatures.Attachment(k))).ToList();
        // Helper probes are independent verifier runs: spread the program types over the cores.
        var types = BpfFeatures.NetworkingProgramTypes;
        var helpers = new List<string>[types.Count];
        Parallel.For(0, types.Count, i => helpers[i] = [.. BpfFeatures.SupportedHelpers(types[i]).Select(id => BpfHelperNames.NameOf(id)!)]);
        var helperRows = types.Select((t, i) => (Names.ProgramType(t), helpers[i])).ToList();
        return new Report(programTypes, mapTypes, attachKinds, helperRows, clock.ElapsedMilliseconds);
    }

    private static void WriteText(Report report)
    {
        WriteSection("program types", report.ProgramTypes);
        WriteSection("map types", report.MapTypes);
        WriteSection("attach kinds", report.AttachKinds);
        foreach (var (programType, helpers) in report.Helpers)
        {
            Console.WriteLine($"helpers for {programType} ({helpers.Count}):");
            foreach (var helper in helpers) Console.WriteLine($"  {helper}");
            Console.WriteLine();
        }
    }

    private static void WriteSection(string title, List<(string Name, FeatureSupport Support)> rows)
    {
        Console.WriteLine(title + ":");
        var table = new TextTable("  NAME", "SUPPORT");
        foreach (var (name, support) in rows) table.Add("  " + name, Text(support));
        table.Write(Console.Out);
        Console.WriteLine();
    }

    private static string Text(FeatureSupport support) => support switch
    {
        FeatureSupport.Supported => "yes",
        FeatureSupport.Unsupported => "no",
        _ => "unknown (needs an attach target to probe)",
    };

    /// <summary>uname -r: the full release string, which Environment.OSVersion reduces to numbers.</summary>
    private static string KernelRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return Environment.OSVersion.Version.ToString();
        }
    }

    private static void WriteJson(Report report) => JsonOutput.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("kernel", KernelRelease());
        foreach (var (section, rows) in new[] { ("program_types", report.ProgramTypes), ("map_types", report.MapTypes), ("attach_kinds", report.AttachKinds) })
        {
            writer.WriteStartObject(section);
            foreach (var (name, support) in rows) writer.WriteString(name, support.ToString().ToLowerInvariant());
            writer.WriteEndObject();
        }
        writer.WriteStartObject("helpers");
        foreach (var (programType, helpers) in report.Helpers)
        {
            writer.WriteStartArray(programType);
            foreach (var helper in helpers) writer.WriteStringValue(helper);
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
        writer.WriteNumber("probe_time_ms", report.ProbeMilliseconds);
        writer.WriteEndObject();
    });
}
