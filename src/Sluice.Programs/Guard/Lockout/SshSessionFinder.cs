using System.Globalization;
using System.Net;
using Sluice.Bpf;

namespace Sluice.Programs.Guard.Lockout;

/// <summary>
/// Finds the SSH sessions a guard must not cut, from the system's own state rather than the caller's environment
/// (which sudo, su -, cron and systemd drop): the established TCP connections to an SSH port in the guard's network
/// namespace. SSH ports are 22 plus every port an sshd process listens on in that namespace.
/// </summary>
internal static class SshSessionFinder
{
    /// <summary>The sessions in <paramref name="namespaceName"/> (null: the caller's namespace), plus the environment's.</summary>
    /// <param name="namespaceName">The guard's --netns name, or null.</param>
    /// <param name="environmentAnywhere">Test hook: count the environment's session even for another namespace.</param>
    internal static GuardSshSessions Find(string? namespaceName, bool environmentAnywhere = false)
    {
        var sshdSockets = SshdSocketInodes();
        TargetView view;
        try
        {
            if (namespaceName is null)
            {
                view = Look();
            }
            else
            {
                using var netns = NetworkNamespace.Open(namespaceName);
                view = netns.Run(Look);
            }
        }
        catch (Exception error) when (error is NetworkNamespaceException or IOException or UnauthorizedAccessException)
        {
            // Without the namespace's sockets only the environment can tell; the caller warns when that is empty too.
            return Combine([], [GuardLockout.DefaultSshPort], EnvironmentSession(sameNamespace: namespaceName is null || environmentAnywhere),
                $"cannot read the TCP sockets of {(namespaceName is null ? "this namespace" : $"netns {namespaceName}")}: {error.Message}");
        }
        var ports = SshPorts(view.Sockets, sshdSockets);
        var sessions = Sessions(view.Sockets, ports);
        bool sameNamespace = namespaceName is null || environmentAnywhere || view.NamespaceId == CurrentNamespaceId();
        return Combine(sessions, ports, EnvironmentSession(sameNamespace), problem: null);
    }

    /// <summary>22 plus the ports of listening sockets that sshd processes hold, ascending.</summary>
    internal static IReadOnlyList<ushort> SshPorts(IEnumerable<TcpSocketEntry> sockets, IReadOnlySet<ulong> sshdSockets)
    {
        var ports = new SortedSet<ushort> { GuardLockout.DefaultSshPort };
        foreach (var socket in sockets)
            if (socket.State == TcpSocketState.Listen && sshdSockets.Contains(socket.Inode)) ports.Add((ushort)socket.Local.Port);
        return [.. ports];
    }

    /// <summary>
    /// Established connections to one of <paramref name="ports"/>: the peer is the client. Loopback peers are left
    /// out (their packets never cross an interface a guard sits on).
    /// </summary>
    internal static IReadOnlyList<GuardSshSession> Sessions(IEnumerable<TcpSocketEntry> sockets, IReadOnlyList<ushort> ports)
    {
        var sessions = new List<GuardSshSession>();
        foreach (var socket in sockets)
        {
            if (socket.State != TcpSocketState.Established || !ports.Contains((ushort)socket.Local.Port)) continue;
            var client = GuardAddress.Identity(socket.Remote.Address);
            if (IPAddress.IsLoopback(client)) continue;
            var session = new GuardSshSession(client, (ushort)socket.Local.Port) { Source = GuardSshSessionSource.Connection };
            if (!sessions.Contains(session)) sessions.Add(session);
        }
        return sessions;
    }

    private static GuardSshSessions Combine(IReadOnlyList<GuardSshSession> found, IReadOnlyList<ushort> ports, GuardSshSession? environment, string? problem)
    {
        var sessions = new List<GuardSshSession>();
        // The caller's own session first: its refusal reads "your SSH session".
        if (environment is not null) sessions.Add(environment);
        sessions.AddRange(found.Where(s => environment is null || (s.Client, s.ServerPort) != (environment.Client, environment.ServerPort)));
        return new GuardSshSessions(sessions, ports) { Problem = problem };
    }

    private static GuardSshSession? EnvironmentSession(bool sameNamespace) =>
        sameNamespace && GuardLockout.CurrentSshSession() is { } session ? session with { Source = GuardSshSessionSource.Environment } : null;

    private sealed record TargetView(string? NamespaceId, IReadOnlyList<TcpSocketEntry> Sockets);

    /// <summary>The namespace's identity and TCP sockets, read on the calling thread (inside the namespace).</summary>
    private static TargetView Look() => new(CurrentNamespaceId(), TcpSocketTable.Read());

    /// <summary>"net:[INODE]" of the calling thread's network namespace.</summary>
    private static string? CurrentNamespaceId() => new FileInfo("/proc/thread-self/ns/net").LinkTarget;

    /// <summary>
    /// The inodes of every socket an sshd process holds (comm "sshd", "sshd-session", ...). Processes that end while
    /// being read, or whose fds this process may not read, are skipped: they add no port beyond 22.
    /// </summary>
    private static HashSet<ulong> SshdSocketInodes()
    {
        var inodes = new HashSet<ulong>();
        IEnumerable<string> processes;
        try
        {
            processes = Directory.EnumerateDirectories("/proc").Where(p => Path.GetFileName(p).All(char.IsAsciiDigit)).ToList();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return inodes;
        }
        foreach (string process in processes)
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(process, "comm")).StartsWith("sshd", StringComparison.Ordinal)) continue;
                foreach (string fd in Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
                {
                    string? target = new FileInfo(fd).LinkTarget;
                    if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']')
                        && ulong.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode))
                        inodes.Add(inode);
                }
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Gone, or not ours to read.
            }
        }
        return inodes;
    }
}
