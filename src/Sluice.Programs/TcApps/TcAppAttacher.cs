using Sluice.Bpf;

namespace Sluice.Programs.TcApps;

/// <summary>
/// Loads a TC application's object with its maps pinned by name in the target's pin directory, and attaches, updates
/// or removes its TCX links, pinned there as ingress_link / egress_link. Shared by qos, ratelimit and mirror.
/// </summary>
internal static class TcAppAttacher
{
    internal static string LinkName(TcDirection direction) => direction == TcDirection.Egress ? "egress_link" : "ingress_link";

    /// <summary>
    /// Loads <paramref name="objectName"/> (maps pinned, reused when present), runs <paramref name="prepare"/> (with the
    /// namespace, the interface index and whether the state is new), then attaches the program at
    /// <paramref name="direction"/> (updating the program in an existing link). A failed first attach removes the pins.
    /// </summary>
    internal static void Attach(TcAppTarget target, string objectName, string programName, TcDirection direction,
        Action<NetworkNamespace?, int, bool>? prepare = null)
    {
        using var netns = OpenNamespace(target);
        int index = ResolveInterface(target, netns);
        bool created = !Directory.Exists(target.PinDirectory);
        try
        {
            BpfFileSystem.EnsureMounted();
            Directory.CreateDirectory(target.PinDirectory);
            using var collection = Load(objectName, target);
            prepare?.Invoke(netns, index, created);
            AttachLink(target, netns, index, collection.Program(programName), direction);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            if (created) TryRemoveAll(target, netns, null);
            throw Explain(error, target, "attach");
        }
    }

    /// <summary>Loads the object with its maps pinned in the target's directory (for attach and for tests' test-runs).</summary>
    internal static BpfCollection Load(string objectName, TcAppTarget target) =>
        BpfCollection.Load(EmbeddedObjects.Read(objectName), new CollectionOptions { PinPath = target.PinDirectory });

    /// <summary>The directions with a live link.</summary>
    internal static IReadOnlyList<(TcDirection Direction, uint LinkId, uint ProgramId)> Links(TcAppTarget target)
    {
        var result = new List<(TcDirection, uint, uint)>();
        foreach (var direction in new[] { TcDirection.Ingress, TcDirection.Egress })
        {
            using var link = OpenLink(target.PinPath(LinkName(direction)));
            if (link?.GetInfo() is { ProgramId: > 0 } info) result.Add((direction, info.Id, info.ProgramId));
        }
        return result;
    }

    /// <summary>Detaches the links, runs <paramref name="cleanup"/> (qdiscs), removes every pin and the emptied directories.</summary>
    /// <returns>False when nothing was pinned.</returns>
    internal static bool Detach(TcAppTarget target, Action<NetworkNamespace?>? cleanup = null)
    {
        if (!Directory.Exists(target.PinDirectory)) return false;
        NetworkNamespace? netns = null;
        try
        {
            // A namespace deleted since the attach took the interface and its links with it: only pins remain.
            if (target.Namespace is not null && File.Exists(Path.Combine(NetworkNamespace.NamedDirectory, target.Namespace)))
                netns = NetworkNamespace.Open(target.Namespace);
            RemoveAll(target, netns, cleanup);
        }
        catch (Exception error) when (error is UnauthorizedAccessException or BpfException or IOException)
        {
            throw Explain(error, target, "detach");
        }
        finally
        {
            netns?.Dispose();
        }
        return true;
    }

    /// <summary>Runs <paramref name="action"/> with the target's namespace open (null for the caller's).</summary>
    internal static T InNamespace<T>(TcAppTarget target, Func<NetworkNamespace?, T> action)
    {
        using var netns = OpenNamespace(target);
        try
        {
            return action(netns);
        }
        catch (Exception error) when (error is not (OutOfMemoryException or TcAppException))
        {
            throw Explain(error, target, "change");
        }
    }

    private static void AttachLink(TcAppTarget target, NetworkNamespace? netns, int index, BpfProgram program, TcDirection direction)
    {
        string path = target.PinPath(LinkName(direction));
        using (var existing = OpenLink(path))
        {
            if (existing is not null)
            {
                var info = existing.GetInfo();
                if (info.ProgramId != 0 && info.IfIndex == index)
                {
                    existing.Update(program.Fd);
                    return;
                }
                existing.Detach();
            }
        }
        if (File.Exists(path)) File.Delete(path);
        using var attachment = Tc.Attach(program, target.Interface, direction, new TcAttachOptions { Namespace = netns, Method = TcAttachMethod.Tcx });
        attachment.Pin(path);
    }

    private static void TryRemoveAll(TcAppTarget target, NetworkNamespace? netns, Action<NetworkNamespace?>? cleanup)
    {
        try
        {
            RemoveAll(target, netns, cleanup);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or BpfException)
        {
            // Leftover pins are removed by the next detach; the attach error is what the caller must see.
        }
    }

    private static void RemoveAll(TcAppTarget target, NetworkNamespace? netns, Action<NetworkNamespace?>? cleanup)
    {
        foreach (var direction in new[] { TcDirection.Ingress, TcDirection.Egress })
        {
            using var link = OpenLink(target.PinPath(LinkName(direction)));
            link?.Detach();
        }
        try
        {
            cleanup?.Invoke(netns);
        }
        catch (BpfException)
        {
            // The interface is gone, and with it its qdiscs.
        }
        if (Directory.Exists(target.PinDirectory))
        {
            foreach (var pin in Directory.GetFiles(target.PinDirectory)) File.Delete(pin);
            Directory.Delete(target.PinDirectory);
        }
        for (var directory = Path.GetDirectoryName(target.PinDirectory); directory is not null && directory.Length > target.Root.Length;
             directory = Path.GetDirectoryName(directory))
        {
            if (!Directory.Exists(directory) || Directory.EnumerateFileSystemEntries(directory).Any()) break;
            Directory.Delete(directory);
        }
    }

    private static BpfLink? OpenLink(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return BpfLink.OpenPinned(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    internal static NetworkNamespace? OpenNamespace(TcAppTarget target)
    {
        if (target.Namespace is null) return null;
        try
        {
            return NetworkNamespace.Open(target.Namespace);
        }
        catch (FileNotFoundException error)
        {
            throw new TcAppException(TcAppError.NoNamespace, $"network namespace '{target.Namespace}' does not exist", error);
        }
        catch (IOException error)
        {
            throw NoPrivileges(error);
        }
    }

    /// <summary>The interface's index in its namespace.</summary>
    internal static int ResolveInterface(TcAppTarget target, NetworkNamespace? netns) => ResolveInterface(target.Interface, target, netns);

    /// <summary>The index of <paramref name="name"/> in the target's namespace (e.g. a mirror's destination).</summary>
    internal static int ResolveInterface(string name, TcAppTarget target, NetworkNamespace? netns)
    {
        try
        {
            return netns?.TryGetInterfaceIndex(name) ?? InterfaceIndexHere(name) ?? throw new TcAppException(TcAppError.NoInterface, NoInterface(name, target));
        }
        catch (IOException error)
        {
            throw NoPrivileges(error);
        }
    }

    private static int? InterfaceIndexHere(string name)
    {
        try
        {
            return Sluice.Bpf.Xdp.Query(name).InterfaceIndex;
        }
        catch (BpfAttachException error) when (error.Reason == AttachFailure.InterfaceNotFound)
        {
            return null;
        }
    }

    internal static string NoInterface(string name, TcAppTarget target) => target.Namespace is null
        ? $"interface '{name}' does not exist"
        : $"interface '{name}' does not exist in network namespace '{target.Namespace}'";

    internal static TcAppException NoPrivileges(Exception? error) =>
        new(TcAppError.NoPrivileges, $"permission denied: needs root (CAP_BPF, CAP_NET_ADMIN and CAP_SYS_ADMIN)", error);

    internal static TcAppException NotAttached(TcAppTarget target) =>
        new(TcAppError.NotAttached, $"{target.Application} is not attached to {target.Describe()}");

    /// <summary>Kernel and attach failures as one-line <see cref="TcAppException"/>s.</summary>
    internal static TcAppException Explain(Exception error, TcAppTarget target, string stage)
    {
        string where = target.Describe();
        return error switch
        {
            TcAppException app => app,
            BpfAttachException attach => attach.Reason switch
            {
                AttachFailure.InterfaceNotFound => new TcAppException(TcAppError.NoInterface, NoInterface(target.Interface, target), error),
                AttachFailure.PermissionDenied => NoPrivileges(error),
                _ => new TcAppException(TcAppError.Kernel, $"{stage} of {target.Application} on {where} failed: {FirstLine(attach.Message)}", error),
            },
            BpfVerifierException verifier => new TcAppException(TcAppError.Kernel,
                $"the kernel's verifier rejected {verifier.ProgramName}: {FirstLine(verifier.Message)}", error),
            BpfException bpf when bpf.Errno is 1 or 13 => NoPrivileges(error),
            UnauthorizedAccessException => NoPrivileges(error),
            _ => new TcAppException(TcAppError.Kernel, $"{stage} of {target.Application} on {where}: {FirstLine(error.Message)}", error),
        };
    }

    internal static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? message : message[..newline]).TrimEnd();
    }
}
