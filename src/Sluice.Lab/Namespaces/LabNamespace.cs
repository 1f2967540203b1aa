using System.Globalization;
using Sluice.Bpf;

namespace Sluice.Lab;

/// <summary>
/// A throwaway named network namespace (/var/run/netns/NAME) owned by this process, with its loopback up.
/// Its name is <c>{prefix}{pid}-{n}{suffix}</c>: unique per process and instance, so concurrent runs never collide,
/// and the pid lets <see cref="SweepOrphans"/> delete namespaces whose creator was killed before it could clean up.
/// Dispose deletes the namespace, which destroys every interface in it and everything attached to them.
/// </summary>
/// <remarks>
/// Tools run through <c>nsenter --net=</c>, not <c>ip netns exec</c>: the latter remounts /sys inside, which hides
/// the bpffs pins under /sys/fs/bpf. Managed code runs inside with <see cref="Open"/> and
/// <see cref="NetworkNamespace.Run{T}(Func{T})"/> (setns on a dedicated thread).
/// </remarks>
public sealed class LabNamespace : IDisposable
{
    private static int _instances;

    private LabNamespace(string name) => Name = name;

    /// <summary>The namespace name (the file /var/run/netns/NAME).</summary>
    public string Name { get; }

    /// <summary>The bind-mounted namespace file.</summary>
    public string Path => $"{NetworkNamespace.NamedDirectory}/{Name}";

    /// <summary>
    /// Creates a namespace named <c>{prefix}{pid}-{n}{suffix}</c> with its loopback up, after deleting the namespaces
    /// with the same prefix whose process is gone.
    /// </summary>
    /// <exception cref="InvalidOperationException">`ip netns add` failed (not root, or no /var/run/netns).</exception>
    public static LabNamespace Create(string prefix, string suffix = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        SweepOrphans(prefix);
        return CreateNamed(UniqueStem(prefix) + suffix);
    }

    /// <summary>A fresh <c>{prefix}{pid}-{n}</c> for names that belong together (the namespaces of one bed).</summary>
    internal static string UniqueStem(string prefix) =>
        $"{prefix}{Environment.ProcessId}-{Interlocked.Increment(ref _instances)}";

    /// <summary>Creates namespace <paramref name="name"/> and brings its loopback up; deletes it again if that fails.</summary>
    internal static LabNamespace CreateNamed(string name)
    {
        ShellCommand.Run("ip", "netns", "add", name);
        var created = new LabNamespace(name);
        try
        {
            created.Run("ip", "link", "set", "lo", "up");
            return created;
        }
        catch
        {
            created.Dispose();
            throw;
        }
    }

    /// <summary>Runs a tool inside the namespace and returns its stdout; throws with its stderr when it fails.</summary>
    /// <exception cref="InvalidOperationException">The tool exited non-zero.</exception>
    public string Run(params string[] command) => Nsenter(Name, command);

    /// <summary>Opens the namespace for managed code (sockets, attachments, <see cref="NetworkNamespace.Run{T}(Func{T})"/>).</summary>
    public NetworkNamespace Open() => NetworkNamespace.Open(Name);

    /// <summary>Runs <paramref name="command"/> inside namespace <paramref name="name"/> without remounting /sys.</summary>
    /// <exception cref="InvalidOperationException">The tool exited non-zero.</exception>
    public static string Nsenter(string name, params string[] command) =>
        ShellCommand.Run("nsenter", [$"--net={NetworkNamespace.NamedDirectory}/{name}", "--", .. command]);

    /// <summary>True when namespace <paramref name="name"/> exists.</summary>
    public static bool Exists(string name) => File.Exists($"{NetworkNamespace.NamedDirectory}/{name}");

    /// <summary>Deletes namespace <paramref name="name"/> if it exists; failures are ignored (cleanup path).</summary>
    public static void Delete(string name)
    {
        if (Exists(name)) ShellCommand.TryRun("ip", ["netns", "delete", name], out _, out _);
    }

    /// <summary>The names of the existing namespaces that start with <paramref name="prefix"/>.</summary>
    public static IEnumerable<string> WithPrefix(string prefix) =>
        Directory.Exists(NetworkNamespace.NamedDirectory)
            ? Directory.GetFiles(NetworkNamespace.NamedDirectory, prefix + "*").Select(System.IO.Path.GetFileName).OfType<string>()
            : [];

    /// <summary>
    /// True when <paramref name="name"/> is <paramref name="prefix"/> followed by the id of a process that no longer
    /// runs: a lab object (namespace, pin directory) left by a crashed or killed run.
    /// </summary>
    public static bool IsOrphan(string name, string prefix)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(prefix);
        if (!name.StartsWith(prefix, StringComparison.Ordinal)) return false;
        string digits = new([.. name[prefix.Length..].TakeWhile(char.IsAsciiDigit)]);
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && !Directory.Exists($"/proc/{pid}");
    }

    /// <summary>Deletes the namespaces starting with <paramref name="prefix"/> whose creating process is gone.</summary>
    public static void SweepOrphans(string prefix)
    {
        foreach (var name in WithPrefix(prefix))
            if (IsOrphan(name, prefix)) Delete(name);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Deletes the namespace (and with it its interfaces and their attachments).</summary>
    public void Dispose() => Delete(Name);
}
