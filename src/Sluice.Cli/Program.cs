using System.CommandLine;
using Sluice.Cli.Commands;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli;

internal static class Program
{
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
        root.Subcommands.Add(ObjectCommands.Create());
        root.Subcommands.Add(ProgCommands.Create());
        root.Subcommands.Add(MapCommands.Create());
        root.Subcommands.Add(NetCommands.Create());
        root.Subcommands.Add(FeatureCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());

        var parsed = root.Parse(args);
        CommandRunner.Verbose = parsed.GetValue(verbose);
        return parsed.Invoke();
    }
}
