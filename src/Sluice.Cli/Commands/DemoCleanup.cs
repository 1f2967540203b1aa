using Sluice.Lab;
using Sluice.Programs.Guard;

namespace Sluice.Cli.Commands;

/// <summary>Removes the demo's guard (links, pins, directories), including guards left by demos that were killed.</summary>
internal static class DemoCleanup
{
    /// <summary>Detaches the guard and removes its pins; a failure is reported, then the pins are deleted by hand.</summary>
    internal static void Remove(GuardTarget target)
    {
        try
        {
            GuardController.Detach(target);
        }
        catch (Exception error)
        {
            Console.Error.WriteLine($"warning: detaching the demo guard: {error.Message}");
        }
        // Deleting a pin drops the kernel reference it held, so this also releases whatever Detach could not.
        string namespaceDirectory = Path.GetDirectoryName(target.PinDirectory)!;
        if (Directory.Exists(namespaceDirectory)) Directory.Delete(namespaceDirectory, recursive: true);
    }

    /// <summary>Pins of demos whose process is gone (SIGKILL: no finally ran).</summary>
    internal static void SweepOrphanPins()
    {
        foreach (var directory in Leftovers())
        {
            string name = Path.GetFileName(directory);
            if (LabNamespace.IsOrphan(name, DemoNetwork.Prefix)) Remove(new GuardTarget(DemoNetwork.ServerInterface, name));
        }
    }

    /// <summary>The guard pin directories of demo namespaces that exist right now.</summary>
    internal static IEnumerable<string> Leftovers() =>
        Directory.Exists(GuardTarget.DefaultRoot) ? Directory.GetDirectories(GuardTarget.DefaultRoot, DemoNetwork.Prefix + "*") : [];
}
