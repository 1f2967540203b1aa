using System.CommandLine;
using Sluice.Cli.Commands;
using Sluice.Cli.Commands.Echo;
using Sluice.Cli.Commands.Forward;
using Sluice.Cli.Commands.Guard;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli;

internal static class Program
{
    /// <summary>Top-level verbs and how to build each one's command tree.</summary>
    private static readonly (string Name, Func<Command> Create)[] Verbs =
    [
        ("object", ObjectCommands.Create),
        ("prog", ProgCommands.Create),
        ("map", MapCommands.Create),
        ("net", NetCommands.Create),
        ("link", LinkCommands.Create),
        ("btf", BtfCommands.Create),
        ("feature", FeatureCommand.Create),
        ("guard", GuardCommands.Create),
        ("echo", EchoCommands.Create),
        ("forward", ForwardCommands.Create),
        ("qos", Sluice.Cli.Commands.TcApps.QosCommands.Create),
        ("ratelimit", Sluice.Cli.Commands.TcApps.RateLimitCommands.Create),
        ("mirror", Sluice.Cli.Commands.TcApps.MirrorCommands.Create),
        ("demo", DemoCommand.Create),
        ("trafficgen", Commands.Tools.TrafficGenCommand.Create),
        ("bench", Commands.Tools.BenchCommand.Create),
    ];

    private static int Main(string[] args)
    {
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Print full verifier logs and more detail",
            Recursive = true,
        };
        var root = new RootCommand("sluice: eBPF networking for .NET (objects, programs, maps, attachments)")
        {
            verbose,
        };
        // Building every verb's options is a measurable share of a short call's start-up (scripts call us in
        // loops), so only the verb being run is built; help, typos and no verb at all get the whole tree.
        string? verb = args.FirstOrDefault(a => !a.StartsWith('-'));
        bool known = Array.Exists(Verbs, v => v.Name == verb);
        foreach (var (name, create) in Verbs)
        {
            if (!known || name == verb) root.Subcommands.Add(create());
        }

        var parsed = root.Parse(args);
        CommandRunner.Verbose = parsed.GetValue(verbose);
        CommandRunner.JsonErrors = args.Contains("--json");
        return parsed.Invoke();
    }
}
