using System.CommandLine;

namespace Sluice.Cli.Infrastructure;

/// <summary>
/// The --dev/--netns pair of the application verbs that act on an attached instance (echo, qos, ratelimit, mirror:
/// every verb but attach), and the rule they share: without --dev, the only instance attached (in --netns when given).
/// </summary>
internal sealed class InstanceOptions(string instance)
{
    internal Option<string?> Device { get; } = new("--dev") { Description = $"Interface of the {instance} (default: the only one attached)" };

    internal Option<string?> Netns { get; } = new("--netns") { Description = "Network namespace name (/var/run/netns/NAME) of the interface" };

    internal void AddTo(Command command)
    {
        command.Options.Add(Device);
        command.Options.Add(Netns);
    }

    /// <summary>The only one of <paramref name="attached"/>; none or several are the user's one-line error.</summary>
    internal static T TheOnly<T>(IReadOnlyList<T> attached, string none, Func<IReadOnlyList<T>, string> several) => attached.Count switch
    {
        1 => attached[0],
        0 => throw new CliError(none),
        _ => throw new CliError(several(attached)),
    };
}
