using Sluice.Bpf.Tests.Links;

namespace Sluice.Bpf.Tests;

/// <summary>
/// The test executable's entry point: runs the tests, or, started by <see cref="LinkPinTests"/> with its child
/// argument, one step of that test in a second process (a pinned link must work from a process that did not create
/// it). Kept out of the test list: a helper that is a [Fact] would count as a passing test while testing nothing.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 4 && args[0] == LinkPinTests.ChildArgument)
        {
            File.WriteAllText(args[3], LinkPinTests.RunChildStep(args[1], args[2]));
            return 0;
        }
        return Xunit.Runner.InProc.SystemConsole.ConsoleRunner.Run(args).GetAwaiter().GetResult();
    }
}
