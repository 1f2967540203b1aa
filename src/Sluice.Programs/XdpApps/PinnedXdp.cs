using Sluice.Bpf;

namespace Sluice.Programs.XdpApps;

/// <summary>
/// The pieces every XDP application shares: load an embedded object with its maps pinned by name in a directory, hold
/// an XDP attachment through a bpf_link pinned in a file (so it outlives the process), and remove both again.
/// </summary>
internal static class PinnedXdp
{
    /// <summary>Loads <paramref name="objectName"/> with its maps pinned in (or reused from) <paramref name="pinDirectory"/>.</summary>
    internal static BpfCollection Load(string objectName, string pinDirectory)
    {
        BpfFileSystem.EnsureMounted();
        Directory.CreateDirectory(pinDirectory);
        return BpfCollection.Load(EmbeddedObjects.Read(objectName), new CollectionOptions { PinPath = pinDirectory });
    }

    /// <summary>
    /// Attaches <paramref name="program"/> to interface <paramref name="index"/> through a link pinned at
    /// <paramref name="linkPath"/>: an existing link on the same interface (and mode) gets the program swapped in
    /// atomically; anything else is replaced. Returns the mode the program runs in.
    /// </summary>
    internal static XdpMode AttachLink(BpfProgram program, string interfaceName, int index, XdpMode mode, NetworkNamespace? netns, string linkPath)
    {
        using (var existing = OpenLink(linkPath))
        {
            if (existing is not null)
            {
                var info = existing.GetInfo();
                var current = info.ProgramId == 0 ? null : CurrentMode(interfaceName, netns, info.ProgramId);
                if (info.ProgramId != 0 && info.IfIndex == index && current is { } running && (mode == XdpMode.BestAvailable || running == mode))
                {
                    existing.Update(program.Fd);
                    return running;
                }
                existing.Detach();
            }
        }
        if (File.Exists(linkPath)) File.Delete(linkPath);
        Directory.CreateDirectory(Path.GetDirectoryName(linkPath)!);
        using var attachment = Xdp.Attach(program, interfaceName, mode, new XdpAttachOptions { Namespace = netns, Method = XdpAttachMethod.Link });
        attachment.Pin(linkPath);
        return CurrentMode(interfaceName, netns, attachment.ProgramId) ?? mode;
    }

    /// <summary>Detaches and unpins the link at <paramref name="linkPath"/>; false when there was none.</summary>
    internal static bool DetachLink(string linkPath)
    {
        using var link = OpenLink(linkPath);
        link?.Detach();
        if (!File.Exists(linkPath)) return false;
        File.Delete(linkPath);
        return true;
    }

    /// <summary>The mode the program with id <paramref name="programId"/> runs in on the interface, or null.</summary>
    internal static XdpMode? CurrentMode(string interfaceName, NetworkNamespace? netns, uint programId)
    {
        try
        {
            var state = Xdp.Query(interfaceName, netns);
            return state.NativeProgramId == programId ? XdpMode.Native : state.GenericProgramId == programId ? XdpMode.Generic
                : state.OffloadProgramId == programId ? XdpMode.Offload : null;
        }
        catch (BpfAttachException)
        {
            return null;
        }
    }

    /// <summary>The id of the program the link at <paramref name="linkPath"/> holds (0: no link, or the interface is gone).</summary>
    internal static uint LinkedProgram(string linkPath)
    {
        using var link = OpenLink(linkPath);
        return link?.GetInfo().ProgramId ?? 0;
    }

    internal static BpfLink? OpenLink(string path)
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

    /// <summary>Deletes <paramref name="directory"/> with every pin in it, then its parents up to (excluding) <paramref name="root"/>'s parent while empty.</summary>
    internal static void RemoveDirectory(string directory, string root)
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        for (var parent = Path.GetDirectoryName(directory); parent is not null && parent.Length >= root.Length; parent = Path.GetDirectoryName(parent))
        {
            if (!Directory.Exists(parent) || Directory.EnumerateFileSystemEntries(parent).Any()) break;
            Directory.Delete(parent);
        }
    }

    /// <summary>"native", "generic", "offload" or "best".</summary>
    internal static string ModeName(XdpMode mode) => mode switch
    {
        XdpMode.Native => "native",
        XdpMode.Generic => "generic",
        XdpMode.Offload => "offload",
        _ => "best",
    };
}
