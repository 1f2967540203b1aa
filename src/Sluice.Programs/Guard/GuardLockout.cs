using System.Globalization;
using System.Net;

namespace Sluice.Programs.Guard;

/// <summary>
/// The lock-out guard: finds the SSH session this process runs in (SSH_CONNECTION, else SSH_CLIENT), so the
/// controller can refuse a change that would drop TCP from that client to the SSH server's port.
/// </summary>
public static class GuardLockout
{
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

/// <summary>The SSH session the process runs in.</summary>
/// <param name="Client">The client's address.</param>
/// <param name="ServerPort">The SSH server's TCP port (usually 22).</param>
public sealed record GuardSshSession(IPAddress Client, ushort ServerPort);
