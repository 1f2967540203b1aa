using System.Diagnostics;
using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>
/// An exclusive lock on an application's pin directory (flock(2) on the directory itself: bpffs holds no regular
/// files), so that processes changing the same pinned state take turns. The kernel releases it when the holder
/// exits, however it exits, so a crashed writer never leaves the state locked.
/// </summary>
/// <remarks>
/// Advisory: it orders cooperating writers (every writer of one application must take it); BPF programs and
/// readers are not held up. The directory is opened without following a symlink in its last component.
/// </remarks>
public sealed class PinDirectoryLock : IDisposable
{
    private int _fd;

    private PinDirectoryLock(string directory, int fd)
    {
        Directory = directory;
        _fd = fd;
    }

    /// <summary>The directory.</summary>
    public string Directory { get; }

    /// <summary>
    /// Opens <paramref name="directory"/> for locking (not locked yet). Open it when the state is opened: <see cref="IsCurrent"/>
    /// then tells whether the directory was removed or replaced since.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist, or its last component is a symlink.</exception>
    /// <exception cref="IOException">open(2) failed otherwise.</exception>
    public static PinDirectoryLock Open(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        int fd = Libc.Open(directory, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        if (fd >= 0) return new PinDirectoryLock(directory, fd);
        int errno = Marshal.GetLastPInvokeError();
        if (errno is Libc.ENOENT or Libc.ENOTDIR or Libc.ELOOP)
            throw new DirectoryNotFoundException($"{directory} is not a directory ({ErrnoNames.Name(errno)})");
        throw new IOException($"opening {directory} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})");
    }

    /// <summary>
    /// Takes the lock, waiting up to <paramref name="timeout"/> while another holder has it. Dispose the result to
    /// release it. Within one process, one <see cref="PinDirectoryLock"/> is not a lock between threads (flock locks
    /// belong to the open file); two instances are.
    /// </summary>
    /// <returns>The held lock, or null when someone else still held it after <paramref name="timeout"/>.</returns>
    /// <exception cref="IOException">flock(2) failed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled while waiting.</exception>
    public IDisposable? TryEnter(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        var clock = Stopwatch.StartNew();
        int pause = 1;
        while (true)
        {
            if (Libc.Flock(_fd, Libc.LOCK_EX | Libc.LOCK_NB) == 0) return new Held(this);
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EWOULDBLOCK && errno != Libc.EINTR)
                throw new IOException($"locking {Directory} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})");
            cancellationToken.ThrowIfCancellationRequested();
            if (clock.Elapsed >= timeout) return null;
            // flock has no timed wait: poll, backing off to 20 ms (a holder usually finishes within milliseconds).
            Thread.Sleep(pause);
            pause = Math.Min(pause * 2, 20);
        }
    }

    /// <summary>
    /// True while the opened directory is still the one at its path: false once it was removed (and perhaps created
    /// again), which means the state it held is gone.
    /// </summary>
    public bool IsCurrent
    {
        get
        {
            ObjectDisposedException.ThrowIf(_fd < 0, this);
            // /proc/self/fd/N of a removed directory reads "<path> (deleted)"; a new directory at the path is another
            // inode, so this fd's target never matches it.
            string? target = new FileInfo($"/proc/self/fd/{_fd}").LinkTarget;
            return target is not null && target == Path.GetFullPath(Directory).TrimEnd('/');
        }
    }

    /// <summary>Closes the directory (releasing the lock if held).</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0) Libc.Close(fd);
    }

    private sealed class Held(PinDirectoryLock owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0 && owner._fd >= 0) Libc.Flock(owner._fd, Libc.LOCK_UN);
        }
    }
}
