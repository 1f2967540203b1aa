using System.CommandLine;

namespace Sluice.Cli.Infrastructure;

/// <summary>Options shared by many commands.</summary>
internal static class CommonOptions
{
    internal static Option<bool> Json() => new("--json") { Description = "Print JSON instead of a table" };
}
