using Sluice.Bpf;

namespace Sluice.Programs.Guard.State;

/// <summary>
/// Loads the two objects with their maps pinned by name in the target's pin directory, and attaches, updates or
/// removes the pinned XDP and TC links.
/// </summary>
internal static class GuardAttacher
{
    /// <summary>cls_bpf priority of the TC stage on kernels without TCX.</summary>
    internal const ushort FilterPriority = 0xC001;

    internal static void Attach(GuardTarget target, GuardAttachOptions options)
    {
        using var netns = OpenNamespace(target);
        ResolveInterface(target, netns); // a missing interface fails here, with the target in the message
        string stage = "XDP";
        bool created = !Directory.Exists(target.PinDirectory);
        try
        {
            BpfFileSystem.EnsureMounted();
            BpfFileSystem.CreatePrivateDirectory(target.PinDirectory);
        }
        catch (UnauthorizedAccessException error)
        {
            // A symlinked or foreign-owned component: nothing of ours is there to clean up.
            throw new GuardException(GuardFailure.UnsafePinDirectory, $"the pin directory of {target.Describe()} is not safe: {error.Message}", error) { Target = target };
        }
        try
        {
            // Writers and detach of this guard wait while it is (re)attached.
            using var pinLock = PinDirectoryLock.Open(target.PinDirectory);
            using var held = GuardController.EnterWriterLock(pinLock, target);
            using var xdp = Load(GuardMapNames.XdpObject, target);
            if (xdp.PinnedPaths.Contains(target.PinPath(GuardMapNames.Config)))
            {
                using var maps = GuardMaps.Open(target);
                new ConfigSlots(maps.Config, maps.ConfigSelect).Initialize();
            }
            AttachXdp(target, netns, xdp.Program(GuardMapNames.XdpProgram), options.Mode);
            stage = "TC";
            if (options.Tc)
            {
                using var tc = Load(GuardMapNames.TcObject, target);
                AttachTc(target, netns, tc.Program(GuardMapNames.TcProgram));
            }
            else
            {
                DetachTc(target, netns);
            }
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            if (created) TryRemoveAll(target, netns);
            throw GuardAttachErrors.Explain(error, target, stage, options.Mode);
        }
    }

    /// <summary>Detaches both links and removes every pin and the emptied directories; false when nothing was there.</summary>
    internal static bool Detach(GuardTarget target)
    {
        ThrowIfSymlinked(target);
        if (!Directory.Exists(target.PinDirectory)) return false;
        NetworkNamespace? netns = null;
        // Detach waits for a writer to finish (or refuses after GuardController.WriterWait); a writer that comes
        // after finds the directory gone and changes nothing.
        using var pinLock = PinDirectoryLock.Open(target.PinDirectory);
        using var held = GuardController.EnterWriterLock(pinLock, target);
        try
        {
            GuardWrite.Forget(target);
            // A namespace deleted since the attach took the interface and its programs with it: only pins remain.
            if (target.Namespace is not null && File.Exists(Path.Combine(NetworkNamespace.NamedDirectory, target.Namespace)))
                netns = NetworkNamespace.Open(target.Namespace);
            RemoveAll(target, netns);
        }
        catch (Exception error) when (error is UnauthorizedAccessException or BpfException)
        {
            throw GuardAttachErrors.Explain(error, target, "detach", XdpMode.BestAvailable);
        }
        finally
        {
            netns?.Dispose();
        }
        return true;
    }

    /// <summary>Loads the embedded objects again (same pinned maps) and swaps the programs into the existing links.</summary>
    internal static void Upgrade(GuardTarget target)
    {
        if (!GuardMaps.Exists(target)) throw GuardMaps.NotAttached(target);
        using var pinLock = PinDirectoryLock.Open(target.PinDirectory);
        using var held = GuardController.EnterWriterLock(pinLock, target);
        using var netns = OpenNamespace(target);
        string stage = "XDP";
        try
        {
            using var xdp = Load(GuardMapNames.XdpObject, target);
            using (var link = PinnedLink.TryOpen(target.PinPath(GuardMapNames.XdpLink))
                ?? throw new GuardException(GuardFailure.Incomplete, $"the XDP link of {target.Describe()} is gone") { Target = target })
                link.Update(xdp.Program(GuardMapNames.XdpProgram).Fd);
            stage = "TC";
            using var tc = Load(GuardMapNames.TcObject, target);
            using var tcLink = PinnedLink.TryOpen(target.PinPath(GuardMapNames.TcLink));
            if (tcLink is not null) tcLink.Update(tc.Program(GuardMapNames.TcProgram).Fd);
            else if (FindFilter(target, netns) is not null)
                AttachTc(target, netns, tc.Program(GuardMapNames.TcProgram));
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            throw GuardAttachErrors.Explain(error, target, $"upgrading {stage}", XdpMode.BestAvailable);
        }
    }

    /// <summary>The live XDP and TC attachment of a guard, for status output.</summary>
    internal static (XdpMode? Mode, uint XdpProgram, uint XdpLink, string? TcMethod, uint TcProgram, uint TcLink) Describe(GuardTarget target)
    {
        uint xdpProgram = 0, xdpLink = 0, tcProgram = 0, tcLink = 0;
        string? tcMethod = null;
        XdpMode? mode = null;
        using (var link = PinnedLink.TryOpen(target.PinPath(GuardMapNames.XdpLink)))
        {
            if (link is not null && link.GetInfo() is { ProgramId: > 0 } info) (xdpProgram, xdpLink) = (info.ProgramId, info.Id);
        }
        using (var link = PinnedLink.TryOpen(target.PinPath(GuardMapNames.TcLink)))
        {
            if (link is not null && link.GetInfo() is { ProgramId: > 0 } info) (tcProgram, tcLink, tcMethod) = (info.ProgramId, info.Id, "tcx");
        }
        try
        {
            using var netns = OpenNamespace(target);
            if (xdpProgram != 0) mode = Xdp.CurrentMode(target.Interface, xdpProgram, netns);
            if (tcMethod is null && FindFilter(target, netns) is { } filter) (tcProgram, tcMethod) = (filter.ProgramId, "cls_bpf");
        }
        catch (Exception error) when (error is GuardException or BpfException or IOException)
        {
            // The interface or namespace is gone: the links are defunct, which the zero ids already say.
        }
        return (mode, xdpProgram, xdpLink, tcMethod, tcProgram, tcLink);
    }

    private static BpfCollection Load(string objectName, GuardTarget target) =>
        BpfCollection.Load(EmbeddedObjects.Read(objectName), new CollectionOptions { PinPath = target.PinDirectory });

    private static void AttachXdp(GuardTarget target, NetworkNamespace? netns, BpfProgram program, XdpMode mode)
    {
        using var link = Xdp.AttachPinned(program, target.Interface, mode, target.PinPath(GuardMapNames.XdpLink), netns);
    }

    private static void AttachTc(GuardTarget target, NetworkNamespace? netns, BpfProgram program)
    {
        if (!Tcx.IsSupported)
        {
            var filter = (TcFilterAttachment)Tc.Attach(program, target.Interface, TcDirection.Ingress, new TcAttachOptions
            {
                Namespace = netns, Method = TcAttachMethod.Filter, Priority = FilterPriority, Handle = 1, Replace = true,
            });
            filter.DetachOnDispose = false;
            filter.Dispose();
            return;
        }
        using var link = Tcx.AttachPinned(program, target.Interface, TcDirection.Ingress, target.PinPath(GuardMapNames.TcLink), netns);
    }

    private static void DetachTc(GuardTarget target, NetworkNamespace? netns)
    {
        PinnedLink.DetachAndUnpin(target.PinPath(GuardMapNames.TcLink));
        if (FindFilter(target, netns) is { } filter)
            Tc.DetachFilter(target.Interface, TcDirection.Ingress, filter.Priority, filter.Handle, netns);
    }

    /// <summary>Cleanup after a failed first attach: best effort, the attach error is what the caller must see.</summary>
    private static void TryRemoveAll(GuardTarget target, NetworkNamespace? netns)
    {
        try
        {
            RemoveAll(target, netns);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or BpfException)
        {
            // Leftover pins are removed by the next detach.
        }
    }

    /// <summary>Refuses pin paths that run through a symlink: deleting pins must never follow one.</summary>
    internal static void ThrowIfSymlinked(GuardTarget target)
    {
        try
        {
            BpfFileSystem.ThrowIfSymlinked(target.PinDirectory);
        }
        catch (UnauthorizedAccessException error)
        {
            throw new GuardException(GuardFailure.UnsafePinDirectory, $"the pin directory of {target.Describe()} is not safe: {error.Message}", error) { Target = target };
        }
    }

    private static void RemoveAll(GuardTarget target, NetworkNamespace? netns)
    {
        ThrowIfSymlinked(target);
        foreach (var name in new[] { GuardMapNames.XdpLink, GuardMapNames.TcLink })
            PinnedLink.DetachAndUnpin(target.PinPath(name));
        try
        {
            if (FindFilter(target, netns) is { } filter)
                Tc.DetachFilter(target.Interface, TcDirection.Ingress, filter.Priority, filter.Handle, netns);
        }
        catch (BpfException)
        {
            // The interface is gone, and with it the filter.
        }
        if (Directory.Exists(target.PinDirectory))
        {
            foreach (var pin in Directory.GetFiles(target.PinDirectory)) File.Delete(pin);
            Directory.Delete(target.PinDirectory);
        }
        for (var directory = Path.GetDirectoryName(target.PinDirectory); directory is not null && directory.Length >= target.Root.Length;
             directory = Path.GetDirectoryName(directory))
        {
            if (!Directory.Exists(directory) || Directory.EnumerateFileSystemEntries(directory).Any()) break;
            Directory.Delete(directory);
        }
    }

    /// <summary>The guard's cls_bpf filter (kernels without TCX), or null.</summary>
    private static TcFilterInfo? FindFilter(GuardTarget target, NetworkNamespace? netns)
    {
        if (Tcx.IsSupported) return null;
        try
        {
            return Tc.ListFilters(target.Interface, TcDirection.Ingress, netns).FirstOrDefault(f => f.Priority == FilterPriority);
        }
        catch (BpfAttachException)
        {
            return null;
        }
    }

    internal static NetworkNamespace? OpenNamespace(GuardTarget target)
    {
        if (target.Namespace is null) return null;
        try
        {
            return NetworkNamespace.Open(target.Namespace);
        }
        catch (FileNotFoundException error)
        {
            throw new GuardException(GuardFailure.NamespaceNotFound, $"network namespace '{target.Namespace}' does not exist", error) { Target = target };
        }
        catch (IOException error)
        {
            throw GuardAttachErrors.NoPrivileges(target, error);
        }
    }

    private static int ResolveInterface(GuardTarget target, NetworkNamespace? netns)
    {
        try
        {
            return Xdp.Query(target.Interface, netns).InterfaceIndex;
        }
        catch (BpfAttachException error) when (error.Reason == AttachFailure.InterfaceNotFound)
        {
            throw new GuardException(GuardFailure.InterfaceNotFound, GuardAttachErrors.NoInterface(target), error) { Target = target };
        }
        catch (IOException error)
        {
            throw GuardAttachErrors.NoPrivileges(target, error);
        }
    }
}
