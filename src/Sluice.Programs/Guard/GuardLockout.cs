using System.Globalization;
using System.Net;

namespace Sluice.Programs.Guard;

/// <summary>
/// The lock-out guard: finds the SSH sessions a guard must not cut, so the controller can refuse a change that would
/// drop, limit or block TCP from their clients to the SSH server's port (Guard/README.md, "Lock-out").
/// </summary>
public static class GuardLockout
{
    /// <summary>The SSH port that is always protected, whatever sshd listens on.</summary>
    public const ushort DefaultSshPort = 22;

    /// <summary>
    /// The packet rate an SSH session is assumed to need from its client: a screenful of output makes hundreds of
    /// ACKs, so a per-source packet limit below this can stall or (with a block time) block a session.
    /// </summary>
    public const uint SessionPacketsPerSecond = 1000;

    /// <summary>
    /// The connections an SSH client is assumed to open at once (a login, scp, a multiplexed master): a SYN limit
    /// with a block time that allows fewer blocks the client's source, and its open sessions with it.
    /// </summary>
    public const uint SessionConnectionsAtOnce = 4;

    /// <summary>
    /// The sessions to protect for <paramref name="target"/>: established TCP connections to port 22 or a port sshd
    /// listens on, read from /proc/net/tcp and tcp6 inside the target's network namespace (so they are found under
    /// sudo, su, cron and systemd too), plus the environment's session (SSH_CONNECTION / SSH_CLIENT) when the target
    /// is in this process's namespace.
    /// </summary>
    public static GuardSshSessions FindSessions(GuardTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Lockout.SshSessionFinder.Find(target.Namespace);
    }

    /// <summary>The SSH client's address, or null when not run from an SSH session.</summary>
    public static IPAddress? CurrentSshClient() => CurrentSshSession()?.Client;

    /// <summary>The SSH client's address and the server's port, or null outside an SSH session (addition to the contract).</summary>
    public static GuardSshSession? CurrentSshSession() =>
        Parse(Environment.GetEnvironmentVariable("SSH_CONNECTION"), Environment.GetEnvironmentVariable("SSH_CLIENT"));

    /// <summary>Parses SSH_CONNECTION ("client cport server sport") or, failing that, SSH_CLIENT ("client cport sport").</summary>
    public static GuardSshSession? Parse(string? sshConnection, string? sshClient)
    {
        var words = Split(sshConnection);
        if (words.Length == 4 && TryAddress(words[0], out var client) && TryPort(words[3], out ushort port))
            return new GuardSshSession(client, port);
        words = Split(sshClient);
        if (words.Length == 3 && TryAddress(words[0], out client) && TryPort(words[2], out port))
            return new GuardSshSession(client, port);
        return null;
    }

    private static string[] Split(string? value) =>
        value?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    private static bool TryAddress(string text, out IPAddress address)
    {
        if (!IPAddress.TryParse(text, out address!)) return false;
        address = GuardAddress.Identity(address);
        return true;
    }

    private static bool TryPort(string text, out ushort port) =>
        ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port != 0;
}

/// <summary>An SSH session: its client and the server's port.</summary>
/// <param name="Client">The client's address.</param>
/// <param name="ServerPort">The SSH server's TCP port (usually 22).</param>
public sealed record GuardSshSession(IPAddress Client, ushort ServerPort)
{
    /// <summary>Where the session was found.</summary>
    public GuardSshSessionSource Source { get; init; }
}

/// <summary>Where an SSH session was found.</summary>
public enum GuardSshSessionSource
{
    /// <summary>SSH_CONNECTION or SSH_CLIENT: the session this process runs in.</summary>
    Environment,

    /// <summary>An established TCP connection to an SSH port in the guard's namespace (/proc/net/tcp, tcp6).</summary>
    Connection,
}

/// <summary>The SSH sessions found for a guard, and the ports looked at.</summary>
/// <param name="Sessions">The sessions, the caller's own (from the environment) first.</param>
/// <param name="Ports">The SSH ports: 22 and those sshd listens on.</param>
public sealed record GuardSshSessions(IReadOnlyList<GuardSshSession> Sessions, IReadOnlyList<ushort> Ports)
{
    /// <summary>Why the namespace's connections could not be read (null: they were).</summary>
    public string? Problem { get; init; }
}
