namespace Sluice.Bpf;

public sealed partial class BpfProgram
{
    /// <summary>
    /// Pins the program at <paramref name="path"/> on bpffs so it outlives this process (Linux 4.4); see
    /// <see cref="BpfPin.Pin"/> for directory creation and errors.
    /// </summary>
    public void Pin(string path) => BpfPin.Pin(Fd, path);

    /// <summary>Opens a program pinned at <paramref name="path"/>; its name is the kernel's (15 characters at most).</summary>
    /// <exception cref="FileNotFoundException">Nothing is pinned there.</exception>
    /// <exception cref="InvalidOperationException">The pinned object is not a program.</exception>
    public static BpfProgram OpenPinned(string path) => FromFd(BpfPin.Open(path));

    /// <summary>Opens the loaded program with kernel id <paramref name="id"/> (BPF_PROG_GET_FD_BY_ID, Linux 4.13).</summary>
    /// <exception cref="KeyNotFoundException">No program has that id (any more).</exception>
    public static BpfProgram FromId(uint id) =>
        FromFd(BpfProgramInfo.OpenById(id) ?? throw new KeyNotFoundException($"no BPF program with id {id}"));

    /// <summary>Wraps an existing program fd, taking ownership; type and name come from the kernel.</summary>
    /// <exception cref="InvalidOperationException">The fd is not a program.</exception>
    public static BpfProgram FromFd(BpfFd fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        try
        {
            // BPF_OBJ_GET_INFO_BY_FD answers for maps and links too (with their own info struct), so ask the
            // fd's anonymous inode what it is first.
            string? kind = new FileInfo($"/proc/self/fd/{fd.Value}").LinkTarget;
            if (kind is not null && kind != "anon_inode:bpf-prog")
                throw new InvalidOperationException($"the object is not a program ({kind})");
            var info = BpfProgramInfo.FromFd(fd);
            return new BpfProgram(fd, info.Name, info.Type, null) { _identity = info };
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }
}
