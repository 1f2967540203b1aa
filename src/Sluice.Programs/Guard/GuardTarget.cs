namespace Sluice.Programs.Guard;

/// <summary>
/// The interface a guard protects: its name and the `ip netns` name of its namespace (null = the caller's). The
/// guard's state lives in <see cref="PinDirectory"/>.
/// </summary>
/// <param name="Interface">The interface name, e.g. "eth0".</param>
/// <param name="Namespace">The `ip netns` name (/var/run/netns/NAME), or null for the namespace the caller runs in.</param>
public sealed record GuardTarget(string Interface, string? Namespace = null)
{
    /// <summary>Where every guard's pins live: /sys/fs/bpf/sluice/guard/&lt;netns&gt;/&lt;interface&gt;/.</summary>
    public const string DefaultRoot = "/sys/fs/bpf/sluice/guard";

    /// <summary>The label of the caller's own namespace in pin paths and metrics.</summary>
    public const string DefaultNamespaceLabel = "default";

    /// <summary>The directory the guard's state is pinned under (normally <see cref="DefaultRoot"/>; tests use their own).</summary>
    public string Root { get; init; } = DefaultRoot;

    /// <summary>The interface name (validated: 1..15 characters, no '/', no whitespace).</summary>
    public string Interface { get; } = ValidateName(Interface, "interface", 15);

    /// <summary>The namespace name, or null (validated like a file name).</summary>
    public string? Namespace { get; } = Namespace is null ? null : ValidateName(Namespace, "namespace", 255) == DefaultNamespaceLabel
        ? throw new GuardException($"a network namespace named '{DefaultNamespaceLabel}' would share the pin directory of the caller's own namespace: rename it")
        : Namespace;

    /// <summary><see cref="Namespace"/> or "default".</summary>
    public string NamespaceLabel => Namespace ?? DefaultNamespaceLabel;

    /// <summary>&lt;root&gt;/&lt;netns label&gt;/&lt;interface&gt;.</summary>
    public string PinDirectory => $"{Root}/{NamespaceLabel}/{Interface}";

    /// <summary>The path of pin <paramref name="name"/> (a map name, "xdp_link" or "tc_link").</summary>
    public string PinPath(string name) => $"{PinDirectory}/{name}";

    /// <summary>"eth0" or "eth0 (netns x)", for messages.</summary>
    public string Describe() => Namespace is null ? Interface : $"{Interface} (netns {Namespace})";

    /// <summary>Every guard pinned under <paramref name="root"/> (directories &lt;root&gt;/&lt;netns&gt;/&lt;interface&gt;), sorted.</summary>
    public static IReadOnlyList<GuardTarget> ListAttached(string root = DefaultRoot)
    {
        var result = new List<GuardTarget>();
        if (!Directory.Exists(root)) return result;
        foreach (var namespaceDirectory in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            string label = Path.GetFileName(namespaceDirectory);
            foreach (var interfaceDirectory in Directory.GetDirectories(namespaceDirectory).Order(StringComparer.Ordinal))
            {
                string name = Path.GetFileName(interfaceDirectory);
                if (!IsValidName(name, 15) || !IsValidName(label, 255)) continue;
                result.Add(new GuardTarget(name, label == DefaultNamespaceLabel ? null : label) { Root = root });
            }
        }
        return result;
    }

    /// <inheritdoc />
    public override string ToString() => Describe();

    private static string ValidateName(string name, string what, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidName(name, maxLength))
            throw new GuardException($"'{name}' is not a valid {what} name");
        return name;
    }

    private static bool IsValidName(string name, int maxLength) =>
        name.Length > 0 && name.Length <= maxLength && name is not ("." or "..") &&
        !name.Any(c => c == '/' || c == '\0' || char.IsWhiteSpace(c));
}
