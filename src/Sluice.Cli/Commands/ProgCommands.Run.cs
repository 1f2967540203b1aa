using System.CommandLine;
using Sluice.Bpf;
using Sluice.Bpf.Object;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

internal static partial class ProgCommands
{
    private static Command CreateRun()
    {
        var target = new Argument<string>("PIN") { Description = "Pinned program path (or id)" };
        var data = new Option<FileInfo>("--data") { Description = "File with the input packet (raw bytes, from the Ethernet header)", Required = true };
        var dataOut = new Option<FileInfo?>("--data-out") { Description = "Write the output packet here" };
        var repeat = new Option<int>("--repeat") { Description = "Run the program N times (time is averaged)", DefaultValueFactory = _ => 1 };
        var json = CommonOptions.Json();
        var run = new Command("run", "BPF_PROG_TEST_RUN: run a program on a packet; prints the verdict, output size and ns per run")
        {
            target, data, dataOut, repeat, json,
        };
        run.SetAction(result => CommandRunner.Run(() =>
        {
            int times = result.GetValue(repeat);
            if (times < 1) throw new CliError("--repeat must be at least 1");
            var input = result.GetValue(data)!;
            if (!input.Exists) throw new CliError($"{input.FullName}: no such file");
            byte[] packet = File.ReadAllBytes(input.FullName);
            using var program = ProgramResolver.Open(result.GetValue(target)!);
            // Programs may grow the packet (XDP adjust_head/tail); leave generous headroom for the copy out.
            var output = new byte[packet.Length + 4096];
            var outcome = program.TestRun(packet, output, times);
            var written = output.AsSpan(0, Math.Min(outcome.DataOutLength, output.Length));
            if (result.GetValue(dataOut) is { } outFile) File.WriteAllBytes(outFile.FullName, written.ToArray());
            string verdict = Verdict(program.Type, outcome.ReturnValue);
            if (result.GetValue(json))
            {
                var copy = written.ToArray();
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("retval", outcome.ReturnValue);
                    writer.WriteString("verdict", verdict);
                    writer.WriteNumber("data_size_in", packet.Length);
                    writer.WriteNumber("data_size_out", outcome.DataOutLength);
                    writer.WriteNumber("duration_ns", outcome.DurationNanoseconds);
                    writer.WriteNumber("repeat", times);
                    writer.WriteString("data_out", Convert.ToHexString(copy).ToLowerInvariant());
                    writer.WriteEndObject();
                });
            }
            else
            {
                Console.WriteLine($"retval       {outcome.ReturnValue} ({verdict})");
                Console.WriteLine($"data in/out  {packet.Length} / {outcome.DataOutLength} bytes");
                Console.WriteLine($"duration     {outcome.DurationNanoseconds} ns per run ({times} runs)");
            }
            return 0;
        }));
        return run;
    }

    private static string Verdict(BpfProgramType type, uint value) => type switch
    {
        BpfProgramType.Xdp => value switch
        {
            0 => "XDP_ABORTED", 1 => "XDP_DROP", 2 => "XDP_PASS", 3 => "XDP_TX", 4 => "XDP_REDIRECT", _ => "unknown",
        },
        BpfProgramType.SchedCls or BpfProgramType.SchedAct => (int)value switch
        {
            -1 => "TC_ACT_UNSPEC", 0 => "TC_ACT_OK", 1 => "TC_ACT_RECLASSIFY", 2 => "TC_ACT_SHOT", 3 => "TC_ACT_PIPE",
            4 => "TC_ACT_STOLEN", 5 => "TC_ACT_QUEUED", 6 => "TC_ACT_REPEAT", 7 => "TC_ACT_REDIRECT", _ => "unknown",
        },
        _ => value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
