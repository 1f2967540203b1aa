using Sluice.Bpf;

namespace Sluice.Programs.XdpApps;

/// <summary>
/// Where an XDP application runs and keeps its state: a namespace (an `ip netns` name, or null for the caller's) and
/// the pin directory &lt;root&gt;/&lt;netns label&gt;/ under which the application pins its maps and links.
/// </summary>
/// <param name="Root">The application's pin root, e.g. /sys/fs/bpf/sluice/echo.</param>
/// <param name="Namespace">The `ip netns` name (/var/run/netns/NAME), or null for the namespace the caller runs in.</param>
public sealed record XdpAppPlace(string Root, string? Namespace)
{
    /// <summary>The label of the caller's own namespace in pin paths.</summary>
    public const string DefaultNamespaceLabel = "default";

    /// <summary>The namespace name (validated like a file name), or null.</summary>
    public string? Namespace { get; } = Namespace is null ? null : ValidName(Namespace, "network namespace", 255);

    /// <summary><see cref="Namespace"/> or "default".</summary>
    public string NamespaceLabel => Namespace ?? DefaultNamespaceLabel;

    /// <summary>&lt;root&gt;/&lt;netns label&gt;.</summary>
    public string NamespaceDirectory => $"{Root}/{NamespaceLabel}";

    /// <summary>"eth0" or "eth0 (netns x)", for messages.</summary>
    public string Describe(string interfaceName) => Namespace is null ? interfaceName : $"{interfaceName} (netns {Namespace})";

    /// <summary>Opens the namespace (null for the caller's own).</summary>
    /// <exception cref="XdpAppException">It does not exist, or opening it needs privileges the caller lacks.</exception>
    public NetworkNamespace? OpenNamespace()
    {
        if (Namespace is null) return null;
        try
        {
            return NetworkNamespace.Open(Namespace);
        }
        catch (FileNotFoundException error)
        {
            throw new XdpAppException(XdpAppError.NamespaceNotFound, $"network namespace '{Namespace}' does not exist", error);
        }
        catch (IOException error)
        {
            throw XdpAppErrors.NoPrivileges(error);
        }
    }

    /// <summary>The index of <paramref name="interfaceName"/> in this place's namespace.</summary>
    /// <exception cref="XdpAppException">No such interface there.</exception>
    public int ResolveInterface(string interfaceName, NetworkNamespace? netns)
    {
        ValidName(interfaceName, "interface", 15);
        try
        {
            return Xdp.Query(interfaceName, netns).InterfaceIndex;
        }
        catch (BpfAttachException error) when (error.Reason == AttachFailure.InterfaceNotFound)
        {
            throw new XdpAppException(XdpAppError.InterfaceNotFound, Namespace is null
                ? $"interface '{interfaceName}' does not exist"
                : $"interface '{interfaceName}' does not exist in network namespace '{Namespace}'", error);
        }
        catch (IOException error)
        {
            throw XdpAppErrors.NoPrivileges(error);
        }
    }

    /// <summary>Checks an interface or namespace name: 1..max characters, no '/', NUL or whitespace, not . or ..</summary>
    /// <exception cref="XdpAppException">Kind <see cref="XdpAppError.InvalidArgument"/>.</exception>
    public static string ValidName(string name, string what, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(name);
        bool valid = name.Length > 0 && name.Length <= maxLength && name is not ("." or "..") &&
            !name.Any(c => c == '/' || c == '\0' || char.IsWhiteSpace(c));
        return valid ? name : throw new XdpAppException(XdpAppError.InvalidArgument, $"'{name}' is not a valid {what} name");
    }
}
