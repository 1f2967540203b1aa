using System.Net;
using Sluice.Bpf;
using Sluice.Lab.Traffic;
using Sluice.Programs.Guard;
using Sluice.Programs.Guard.Lockout;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Controller;

/// <summary>
/// The lock-out guard on sessions found from the system's state: established connections to an SSH port in the
/// guard's namespace (a real connection from the sender namespace to a listener on port 22 in the receiver's), and
/// every setting that can cut them: rules, the default verdict, TC drop marks, packet and SYN limits with blocks.
/// </summary>
public sealed class GuardLockoutSessionTests
{
    private const string ProcNetTcp =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
        "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0\n" +
        "   1: 020012C6:0016 010012C6:C350 01 00000000:00000000 02:000A7D1F 00000000     0        0 1002 2 0 20 4 30 10 -1\n" +
        "   2: 0100007F:0016 0100007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0\n" +
        "   3: 020012C6:08AE 090012C6:C351 01 00000000:00000000 00:00000000 00000000     0        0 1004 1 0\n" +
        "   4: 00000000:08AE 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1005 1 0\n" +
        "   5: 020012C6:0050 070012C6:C352 01 00000000:00000000 00:00000000 00000000     0        0 1006 1 0\n";

    private const string ProcNetTcp6 =
        "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
        "   0: 000000FD000000000000000002000000:0016 000000FD000000000000000001000000:D000 01 00000000:00000000 00:00000000 00000000     0        0 2001 1 0\n" +
        "   1: 0000000000000000FFFF0000020012C6:0016 0000000000000000FFFF0000050012C6:D001 01 00000000:00000000 00:00000000 00000000     0        0 2002 1 0\n";

    [Fact]
    public void Proc_net_tcp_rows_parse_to_endpoints_states_and_inodes()
    {
        var rows = TcpSocketTable.Parse(ProcNetTcp).ToList();
        Assert.Equal(6, rows.Count);
        Assert.Equal(new TcpSocketEntry(new IPEndPoint(IPAddress.Any, 22), new IPEndPoint(IPAddress.Any, 0), TcpSocketState.Listen, 1001), rows[0]);
        Assert.Equal(new TcpSocketEntry(IPEndPoint.Parse("198.18.0.2:22"), IPEndPoint.Parse("198.18.0.1:50000"), TcpSocketState.Established, 1002), rows[1]);
        var v6 = TcpSocketTable.Parse(ProcNetTcp6).ToList();
        Assert.Equal(IPEndPoint.Parse("[fd00::2]:22"), v6[0].Local);
        Assert.Equal(IPEndPoint.Parse("[fd00::1]:53248"), v6[0].Remote);
        Assert.Equal(IPEndPoint.Parse("[::ffff:198.18.0.5]:53249"), v6[1].Remote);
        Assert.Empty(TcpSocketTable.Parse("garbage\n 0: zz:0016 00000000:0000 0A 0 0 0 0 0 1\n"));
    }

    [Fact]
    public void Sessions_are_established_connections_to_22_or_a_port_sshd_listens_on_from_non_loopback_clients()
    {
        var rows = TcpSocketTable.Parse(ProcNetTcp).Concat(TcpSocketTable.Parse(ProcNetTcp6)).ToList();
        Assert.Equal([(ushort)22], SshSessionFinder.SshPorts(rows, new HashSet<ulong>()));
        var ports = SshSessionFinder.SshPorts(rows, new HashSet<ulong> { 1005, 1006 }); // 1006 is not a listener
        Assert.Equal([(ushort)22, (ushort)2222], ports);
        var sessions = SshSessionFinder.Sessions(rows, ports);
        Assert.Equal(
            [("198.18.0.1", 22), ("198.18.0.9", 2222), ("fd00::1", 22), ("198.18.0.5", 22)],
            sessions.Select(s => (s.Client.ToString(), (int)s.ServerPort)));
        Assert.All(sessions, s => Assert.Equal(GuardSshSessionSource.Connection, s.Source));
    }

    [Fact]
    public void A_real_connection_to_port_22_in_the_guards_namespace_is_found_and_protected_from_every_setting()
    {
        Sluice.Tests.Requires.Root();
        using var bed = new GuardTargetBed();
        using var guard = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic });
        var unchecked_ = new List<GuardLockoutUnchecked>();
        guard.LockoutUnchecked = unchecked_.Add;
        using var session = SshSession(bed);

        var found = GuardLockout.FindSessions(bed.Target);
        var only = Assert.Single(found.Sessions);
        Assert.Equal((IPAddress.Parse(VethNamespaces.SenderAddress), (ushort)22, GuardSshSessionSource.Connection), (only.Client, only.ServerPort, only.Source));

        const string Whose = "the SSH session from 198.18.0.1 to TCP port 22";
        Assert.Equal($"refused: adding these rules would drop {Whose} by rule 'deny 198.18.0.0/24'",
            Assert.Throws<GuardLockoutException>(() => guard.AddRules([GuardRule.Parse("deny 198.18.0.0/24")])).Message);
        Assert.Equal($"refused: these settings would drop {Whose} by the default drop verdict",
            Refused(guard, s => s with { Default = GuardVerdict.Drop }));
        Assert.Equal($"refused: these settings would drop {Whose} by the TC stage dropping packets marked unmatched",
            Refused(guard, s => s with { TcDrop = GuardMarks.Unmatched }));
        Assert.Equal($"refused: these settings would limit {Whose} by the packet limit of 1/s per source, which then blocks the source for 86400 s",
            Refused(guard, s => s with { Limits = new GuardLimits { PacketsPerSecond = 1, BlockTime = TimeSpan.FromDays(1) } }));
        Assert.Equal($"refused: these settings would drop {Whose} by the TC stage dropping packets marked near-limit",
            Refused(guard, s => s with { Limits = new GuardLimits { PacketsPerSecond = 100_000 }, TcDrop = GuardMarks.NearLimit }));
        Assert.Equal($"refused: these settings would limit {Whose} by the SYN limit of 1/s per source (burst 0), which then blocks the source for 60 s",
            Refused(guard, s => s with { Limits = new GuardLimits { SynPerSecond = 1, BlockTime = TimeSpan.FromSeconds(60) } }));
        Assert.Equal(GuardSettings.Defaults, guard.Settings); // nothing refused was written

        // What cannot cut the session goes through: generous limits, SYN limits without blocks, TC marks it never carries
        // or that TC never sees (no metadata).
        guard.UpdateSettings(s => s with { Limits = new GuardLimits { PacketsPerSecond = 100_000, SynPerSecond = 1, BlockTime = TimeSpan.Zero } });
        guard.UpdateSettings(s => s with { Limits = GuardLimits.None, TcDrop = GuardMarks.Fragment | GuardMarks.Malformed });
        guard.UpdateSettings(s => s with { TcDrop = GuardMarks.Unmatched, Metadata = false });
        guard.UpdateSettings(_ => GuardSettings.Defaults);

        // An allowed client skips limits and blocks, so they no longer cut it; dropping allowed packets at TC still does.
        guard.AddRules([GuardRule.Parse("allow 198.18.0.1 tcp/22")]);
        guard.UpdateSettings(s => s with { Limits = new GuardLimits { PacketsPerSecond = 1, BlockTime = TimeSpan.FromDays(1) }, TcDrop = GuardMarks.Unmatched });
        Assert.Equal($"refused: these settings would drop {Whose} by the TC stage dropping packets marked allowed",
            Refused(guard, s => s with { TcDrop = GuardMarks.Allowed }));

        guard.UpdateSettings(s => s with { TcDrop = GuardMarks.Allowed }, force: true);
        Assert.Equal(GuardMarks.Allowed, guard.Settings.TcDrop);
        Assert.Empty(unchecked_); // a session was found each time: no warning
    }

    [Fact]
    public void Without_any_session_a_change_that_could_cut_one_is_reported_unchecked_and_goes_through()
    {
        Sluice.Tests.Requires.Root();
        using var bed = new GuardTargetBed();
        using var guard = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic });
        var notices = new List<GuardLockoutUnchecked>();
        guard.LockoutUnchecked = notices.Add;
        // A connection to another port is no SSH session; nor is the environment's session for another namespace.
        using var receiver = bed.Veth.Receiver.Open();
        using var web = TcpEchoServer.Start(new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), 80), receiver);
        using var sender = bed.Veth.Sender.Open();
        using var connection = HeldTcpConnection.Open(web.LocalEndPoint, sender);

        guard.AddRules([GuardRule.Parse("allow 198.18.0.0/24")]);
        Assert.Empty(notices); // nothing that could cut a session
        guard.AddRules([GuardRule.Parse("deny 198.18.0.1 tcp")]);
        var notice = Assert.Single(notices);
        Assert.Equal(("adding these rules", bed.Target), (notice.Change, notice.Target));
        Assert.Empty(notice.Search.Sessions);
        Assert.Equal([(ushort)22], notice.Search.Ports);
        Assert.Null(notice.Search.Problem);
        guard.UpdateSettings(s => s with { Limits = new GuardLimits { PacketsPerSecond = 1 } });
        Assert.Equal(2, notices.Count);
    }

    /// <summary>A listener on 198.18.0.2:22 in the receiver namespace and a client connected from the sender's.</summary>
    private static Session SshSession(GuardTargetBed bed)
    {
        using var receiver = bed.Veth.Receiver.Open();
        using var sender = bed.Veth.Sender.Open();
        var server = TcpEchoServer.Start(new IPEndPoint(IPAddress.Parse(VethNamespaces.ReceiverAddress), 22), receiver);
        try
        {
            return new Session(server, HeldTcpConnection.Open(server.LocalEndPoint, sender));
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private sealed class Session(TcpEchoServer server, HeldTcpConnection client) : IDisposable
    {
        public void Dispose()
        {
            client.Dispose();
            server.Dispose();
        }
    }

    private static string Refused(GuardController guard, Func<GuardSettings, GuardSettings> change) =>
        Assert.Throws<GuardLockoutException>(() => guard.UpdateSettings(change)).Message;
}
