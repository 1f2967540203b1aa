namespace Sluice.Bpf;

/// <summary>Symbolic names of the errno values bpf() returns.</summary>
internal static class ErrnoNames
{
    private static readonly Dictionary<int, string> Names = new()
    {
        [1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO", [6] = "ENXIO", [7] = "E2BIG",
        [9] = "EBADF", [11] = "EAGAIN", [12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT", [16] = "EBUSY",
        [17] = "EEXIST", [19] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR", [22] = "EINVAL", [24] = "EMFILE",
        [28] = "ENOSPC", [34] = "ERANGE", [38] = "ENOSYS", [52] = "EBADE", [61] = "ENODATA", [71] = "EPROTO",
        [75] = "EOVERFLOW", [93] = "EPROTONOSUPPORT", [95] = "EOPNOTSUPP", [98] = "EADDRINUSE",
        [105] = "ENOBUFS", [110] = "ETIMEDOUT", [114] = "EALREADY", [524] = "ENOTSUPP",
    };

    internal static string Name(int errno) => Names.TryGetValue(errno, out var name) ? name : $"errno {errno}";
}
