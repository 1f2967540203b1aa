namespace Sluice.Programs.TcApps;

/// <summary>
/// One interface a TC application (qos, ratelimit, mirror) runs on: the application's name, the interface and the
/// `ip netns` name of its namespace (null = the caller's). Its state lives in <see cref="PinDirectory"/>.
/// </summary>
/// <param name="Application">"qos", "ratelimit" or "mirror": the folder under /sys/fs/bpf/sluice/.</param>
/// <param name="Interface">The interface name, e.g. "eth0".</param>
/// <param name="Namespace">The `ip netns` name (/var/run/netns/NAME), or null for the caller's namespace.</param>
public sealed record TcAppTarget(string Application, string Interface, string? Namespace = null)
{
    /// <summary>Where every application's pins live: /sys/fs/bpf/sluice/&lt;application&gt;/.</summary>
    public const string DefaultRoot = "/sys/fs/bpf/sluice";

    /// <summary>The label of the caller's own namespace in pin paths and metrics.</summary>
    public const string DefaultNamespaceLabel = "default";

    /// <summary>The parent of the application folders (normally <see cref="DefaultRoot"/>; tests use their own).</summary>
    public string Root { get; init; } = DefaultRoot;

    /// <summary>The interface name (1..15 characters, no '/', no whitespace).</summary>
    public string Interface { get; } = ValidateName(Interface, TcAppError.BadInterfaceName, 15);

    /// <summary>The namespace name, or null.</summary>
    public string? Namespace { get; } = Namespace is null ? null : ValidateName(Namespace, TcAppError.BadNamespaceName, 255);

    /// <summary><see cref="Namespace"/> or "default".</summary>
    public string NamespaceLabel => Namespace ?? DefaultNamespaceLabel;

    /// <summary>&lt;root&gt;/&lt;application&gt;/&lt;netns label&gt;/&lt;interface&gt;.</summary>
    public string PinDirectory => $"{Root}/{Application}/{NamespaceLabel}/{Interface}";

    /// <summary>The path of pin <paramref name="name"/> (a map name or a link name).</summary>
    public string PinPath(string name) => $"{PinDirectory}/{name}";

    /// <summary>"eth0" or "eth0 (netns x)", for messages.</summary>
    public string Describe() => Namespace is null ? Interface : $"{Interface} (netns {Namespace})";

    /// <summary>Every instance of <paramref name="application"/> pinned under <paramref name="root"/>, sorted.</summary>
    public static IReadOnlyList<TcAppTarget> ListAttached(string application, string root = DefaultRoot)
    {
        var result = new List<TcAppTarget>();
        string directory = Path.Combine(root, application);
        if (!Directory.Exists(directory)) return result;
        foreach (var namespaceDirectory in Directory.GetDirectories(directory).Order(StringComparer.Ordinal))
        {
            string label = Path.GetFileName(namespaceDirectory);
            foreach (var interfaceDirectory in Directory.GetDirectories(namespaceDirectory).Order(StringComparer.Ordinal))
            {
                string name = Path.GetFileName(interfaceDirectory);
                if (!IsValidName(name, 15) || !IsValidName(label, 255)) continue;
                result.Add(new TcAppTarget(application, name, label == DefaultNamespaceLabel ? null : label) { Root = root });
            }
        }
        return result;
    }

    /// <inheritdoc />
    public override string ToString() => Describe();

    private static string ValidateName(string name, TcAppError kind, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidName(name, maxLength)) throw new TcAppException(kind, $"'{name}' is not a valid {(kind == TcAppError.BadInterfaceName ? "interface" : "namespace")} name");
        return name;
    }

    private static bool IsValidName(string name, int maxLength) =>
        name.Length > 0 && name.Length <= maxLength && name is not ("." or "..") &&
        !name.Any(c => c == '/' || c == '\0' || char.IsWhiteSpace(c));
}
