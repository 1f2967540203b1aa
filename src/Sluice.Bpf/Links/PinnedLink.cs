namespace Sluice.Bpf;

/// <summary>
/// Links pinned on bpffs, the way applications keep an attachment alive across processes: open one if it is there,
/// attach-or-update (swap the program of a pinned link in place, or create and pin a new link), detach and unpin.
/// The hook-specific forms are <see cref="Xdp.AttachPinned"/> and <see cref="Tcx.AttachPinned"/>.
/// </summary>
public static class PinnedLink
{
    /// <summary>Opens the link pinned at <paramref name="path"/>, or returns null when nothing is pinned there.</summary>
    /// <exception cref="BpfException">Something other than a link is pinned there, or bpffs refused the open.</exception>
    public static BpfLink? TryOpen(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) return null;
        try
        {
            return BpfLink.OpenPinned(path);
        }
        catch (FileNotFoundException)
        {
            return null; // unpinned between the check and the open
        }
    }

    /// <summary>
    /// Makes the link pinned at <paramref name="path"/> run <paramref name="program"/>. When a live link is pinned
    /// there and <paramref name="fits"/> accepts it (same hook), its program is replaced in one BPF_LINK_UPDATE: the
    /// hook never runs without a program and never runs both. Otherwise the stale link is detached, its pin removed,
    /// and the link <paramref name="create"/> returns is pinned at <paramref name="path"/>.
    /// </summary>
    /// <returns>The link (the caller disposes this handle; the pin keeps the attachment).</returns>
    /// <exception cref="BpfAttachException">The update or the new attachment was refused.</exception>
    public static BpfLink AttachOrUpdate(string path, BpfFd program, Func<BpfLinkInfo, bool> fits, Func<BpfLink> create)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(fits);
        ArgumentNullException.ThrowIfNull(create);
        BpfLink? existing = TryOpen(path);
        try
        {
            if (existing is not null)
            {
                var info = existing.GetInfo();
                if (info.ProgramId != 0 && fits(info))
                {
                    existing.Update(program);
                    var updated = existing;
                    existing = null; // the caller owns it now
                    return updated;
                }
                existing.Detach();
            }
        }
        finally
        {
            existing?.Dispose();
        }
        if (File.Exists(path)) File.Delete(path);
        BpfLink? created = create();
        try
        {
            created.Pin(path);
            var pinned = created;
            created = null; // the caller owns it now
            return pinned;
        }
        finally
        {
            created?.Dispose();
        }
    }

    /// <summary>Detaches the link pinned at <paramref name="path"/> and removes the pin; false when nothing was pinned.</summary>
    public static bool DetachAndUnpin(string path)
    {
        using (var link = TryOpen(path)) link?.Detach();
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }
}
