using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>
/// A Linux network namespace, held open by a file descriptor so it stays valid even if its name is removed.
/// Work that must happen inside it (ifindex lookups, bpf_link creation on an ifindex, opening sockets, DEVMAP
/// updates) runs through <see cref="Run{T}(Func{T})"/>.
/// </summary>
/// <remarks>
/// setns(2) changes the namespace of the calling OS thread only. <see cref="Run{T}(Func{T})"/> therefore starts a
/// dedicated thread, enters the namespace there, runs the callback synchronously and lets the thread end, so no
/// thread-pool thread ever runs in a foreign namespace. Sockets and netlink handles created inside keep their
/// namespace for life and may be used from any thread afterwards. Needs CAP_SYS_ADMIN (Linux 3.0).
/// </remarks>
public sealed class NetworkNamespace : IDisposable
{
    /// <summary>Where `ip netns add NAME` puts the namespace's bind mount.</summary>
    public const string NamedDirectory = "/var/run/netns";

    private readonly SafeFileHandle _handle;

    private NetworkNamespace(SafeFileHandle handle, string path, string? name)
    {
        _handle = handle;
        Path = path;
        Name = name;
    }

    /// <summary>The file the namespace was opened from.</summary>
    public string Path { get; }

    /// <summary>The `ip netns` name, or null when it was opened by path.</summary>
    public string? Name { get; }

    /// <summary>Opens the namespace that `ip netns add <paramref name="name"/>` created (/var/run/netns/NAME).</summary>
    /// <exception cref="ArgumentException">The name contains a path separator.</exception>
    /// <exception cref="FileNotFoundException">No namespace has that name.</exception>
    public static NetworkNamespace Open(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
            throw new ArgumentException($"'{name}' is not a namespace name (use OpenPath for paths)", nameof(name));
        return OpenFile(System.IO.Path.Combine(NamedDirectory, name), name);
    }

    /// <summary>Opens a namespace file, e.g. /proc/PID/ns/net or a bind mount of one.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static NetworkNamespace OpenPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return OpenFile(path, null);
    }

    /// <summary>The namespace the calling thread is in right now.</summary>
    public static NetworkNamespace Current() => OpenFile("/proc/thread-self/ns/net", null);

    private static NetworkNamespace OpenFile(string path, string? name)
    {
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.ENOENT) throw new FileNotFoundException($"network namespace '{name ?? path}' does not exist", path);
            throw new NetworkNamespaceException(errno, $"cannot open network namespace '{path}': {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})");
        }
        return new NetworkNamespace(new SafeFileHandle(fd, ownsHandle: true), path, name);
    }

    /// <summary>Runs <paramref name="action"/> on a fresh thread inside this namespace and returns its result.</summary>
    /// <remarks>Only synchronous work belongs here: an awaited continuation would resume on another thread.</remarks>
    /// <exception cref="NetworkNamespaceException">setns failed (e.g. no CAP_SYS_ADMIN).</exception>
    public T Run<T>(Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = RunInside(action);
            }
            catch (Exception exception)
            {
                failure = ExceptionDispatchInfo.Capture(exception);
            }
        })
        {
            IsBackground = true,
            Name = $"netns {Name ?? Path}",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>Runs <paramref name="action"/> on a fresh thread inside this namespace.</summary>
    public void Run(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Run<object?>(() =>
        {
            action();
            return null;
        });
    }

    private T RunInside<T>(Func<T> action)
    {
        using var home = Current();
        Enter(_handle, Name ?? Path);
        try
        {
            return action();
        }
        finally
        {
            // The thread ends right after this, which drops the namespace anyway; going home first keeps the thread
            // honest should anything run on it before it exits. A failure here must not mask the action's outcome.
            _ = Libc.SetNs((int)home._handle.DangerousGetHandle(), Libc.CLONE_NEWNET);
        }
    }

    private static void Enter(SafeFileHandle handle, string what)
    {
        if (Libc.SetNs((int)handle.DangerousGetHandle(), Libc.CLONE_NEWNET) == 0) return;
        int errno = Marshal.GetLastPInvokeError();
        throw new NetworkNamespaceException(errno, $"setns into {what} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})" +
            (errno == Libc.EPERM ? "; entering a network namespace needs CAP_SYS_ADMIN" : ""));
    }

    /// <summary>The index of interface <paramref name="interfaceName"/> in this namespace.</summary>
    /// <exception cref="BpfAttachException">No such interface here (<see cref="AttachFailure.InterfaceNotFound"/>).</exception>
    public int GetInterfaceIndex(string interfaceName) => Run(() => InterfaceResolver.Resolve(interfaceName, this));

    /// <summary>The index of <paramref name="interfaceName"/>, or null when this namespace has no such interface.</summary>
    public int? TryGetInterfaceIndex(string interfaceName) => Run(() => InterfaceResolver.TryResolve(interfaceName));

    /// <inheritdoc />
    public override string ToString() => Name ?? Path;

    /// <summary>Closes the descriptor; the namespace itself lives on while anything else uses it.</summary>
    public void Dispose() => _handle.Dispose();
}
