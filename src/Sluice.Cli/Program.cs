using System.CommandLine;

namespace Sluice.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("sluice: eBPF networking for .NET (objects, programs, maps, attachments)");
        return root.Parse(args).Invoke();
    }
}
