using System.Diagnostics;
using System.Net;
using Sluice.Lab.Traffic;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests.Guard;

/// <summary>
/// Lock-out protection as an admin under sudo gets it: the CLI runs under `env -i` (no SSH_CONNECTION, no SSH_CLIENT)
/// on a --netns guard, and finds the SSH session from the namespace's own TCP sockets: a real connection from the
/// sender namespace to a listener on port 22 (or a port an "sshd" listens on) in the guard's.
/// </summary>
public sealed class GuardLockoutCommandTests
{
    [Fact]
    public void A_session_found_through_proc_refuses_denies_tc_drops_and_limits_under_env_i_unless_forced()
    {
        Requires.Root();
        using var bed = new LockoutBed();
        using var receiver = bed.Veth.Receiver.Open();
        using var server = TcpEchoServer.Start(new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), 22), receiver);
        using var sender = bed.Veth.Sender.Open();
        using var session = HeldTcpConnection.Open(server.LocalEndPoint, sender);
        const string Whose = "the SSH session from 198.18.0.1 to TCP port 22";

        Assert.Equal($"error: refused: adding these rules would drop {Whose} by rule 'deny 198.18.0.1/32'; use --force to do it anyway",
            bed.FailsWithOneLine("deny", "198.18.0.1"));
        Assert.Equal($"error: refused: these settings would drop {Whose} by the TC stage dropping packets marked unmatched; use --force to do it anyway",
            bed.FailsWithOneLine("limit", "--tc-drop", "unmatched"));
        Assert.Equal($"error: refused: these settings would limit {Whose} by the packet limit of 1/s per source, which then blocks the source for 86400 s; use --force to do it anyway",
            bed.FailsWithOneLine("limit", "--pps", "1", "--block-time", "86400"));
        Assert.Equal("", bed.Succeeds("limit", "--pps", "100000").Stderr); // generous enough for a session; no warning either

        bed.Succeeds("deny", "198.18.0.1", "--force");
        Assert.Contains("198.18.0.1/32", bed.Succeeds("rules").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_sshd_listens_on_is_protected_too()
    {
        Requires.Root();
        using var bed = new LockoutBed();
        // A process whose name is sshd (what /proc/PID/comm shows for an exec through a link of that name) listening on 2222.
        string directory = Directory.CreateTempSubdirectory("sluice-sshd-").FullName;
        Process? sshd = null;
        try
        {
            File.CreateSymbolicLink(Path.Combine(directory, "sshd"), ShellCommand.Run("sh", "-c", "command -v nc").Trim());
            var start = new ProcessStartInfo("nsenter") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true };
            foreach (string a in new[] { $"--net=/var/run/netns/{bed.Veth.ReceiverNamespace}", Path.Combine(directory, "sshd"), "-l", VethNamespaces.ReceiverAddress, "2222" })
                start.ArgumentList.Add(a);
            sshd = Process.Start(start)!;
            Assert.True(Wait.Until(() => bed.Veth.InReceiver("ss", "-Htln", "sport", "= :2222").Contains("2222", StringComparison.Ordinal)), "the sshd stand-in did not listen");
            using var sender = bed.Veth.Sender.Open();
            using var session = HeldTcpConnection.Open(new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), 2222), sender);

            Assert.Equal("error: refused: adding these rules would drop the SSH session from 198.18.0.1 to TCP port 2222 by rule 'deny 198.18.0.0/24 tcp'; use --force to do it anyway",
                bed.FailsWithOneLine("deny", "198.18.0.0/24", "--proto", "tcp"));
        }
        finally
        {
            if (sshd is { HasExited: false }) sshd.Kill();
            sshd?.Dispose();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Without_any_session_a_change_that_could_cut_one_warns_in_one_line_and_goes_through()
    {
        Requires.Root();
        using var bed = new LockoutBed();
        var allow = bed.Succeeds("allow", "198.18.0.0/24");
        Assert.Equal("", allow.Stderr); // an allow cannot cut a session: nothing to warn about

        var deny = bed.Succeeds("deny", "198.18.0.1");
        string warning = Assert.Single(deny.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"warning: found no SSH session to protect (no established connection to TCP port 22 in netns {bed.Veth.ReceiverNamespace}): " +
            "adding these rules not checked for lock-out", warning);
    }

    /// <summary>The lab's two namespaces with the guard on the receiver's interface, attached and driven through the CLI under env -i.</summary>
    private sealed class LockoutBed : IDisposable
    {
        internal LockoutBed()
        {
            Veth = new VethNamespaces();
            try
            {
                CliAssert.Succeeds("guard", "attach", Veth.ReceiverInterface, "--netns", Veth.ReceiverNamespace, "--mode", "generic");
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        internal VethNamespaces Veth { get; }

        private string PinNamespaceDirectory => $"/sys/fs/bpf/sluice/guard/{Veth.ReceiverNamespace}";

        /// <summary>`env -i PATH=... sluice guard VERB ARGS --dev sl-recv --netns R`: no SSH variables, as under sudo.</summary>
        internal SluiceProcess.Result Run(params string[] arguments) =>
            SluiceProcess.RunWithoutEnvironment(["guard", .. arguments, "--dev", Veth.ReceiverInterface, "--netns", Veth.ReceiverNamespace]);

        internal SluiceProcess.Result Succeeds(params string[] arguments)
        {
            var result = Run(arguments);
            Assert.True(result.ExitCode == 0, $"guard {string.Join(' ', arguments)} failed: {result.Stderr}");
            return result;
        }

        internal string FailsWithOneLine(params string[] arguments)
        {
            var result = Run(arguments);
            Assert.True(result.ExitCode == 1, $"guard {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Stdout}{result.Stderr}");
            return Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        public void Dispose()
        {
            try
            {
                if (Directory.Exists(PinNamespaceDirectory)) SluiceProcess.Run("guard", "detach", Veth.ReceiverInterface, "--netns", Veth.ReceiverNamespace);
            }
            finally
            {
                if (Directory.Exists(PinNamespaceDirectory)) Directory.Delete(PinNamespaceDirectory, recursive: true);
                Veth.Dispose();
            }
        }
    }
}
