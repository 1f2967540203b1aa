using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Controller;

/// <summary>Attach, re-attach, open, upgrade and detach on a real veth in a namespace (kernel tests).</summary>
public sealed class GuardAttachTests
{
    [Theory]
    [InlineData(XdpMode.Native)]
    [InlineData(XdpMode.Generic)]
    public void Attaches_in_a_namespace_in_the_requested_mode_and_detach_removes_everything(XdpMode mode)
    {
        Requires.Root();
        using var bed = new GuardTargetBed();
        using (var guard = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = mode }))
        {
            var status = guard.Status();
            Assert.Equal(mode, status.XdpMode);
            Assert.NotEqual(0u, status.XdpProgramId);
            Assert.NotEqual(0u, status.XdpLinkId);
            Assert.Equal("tcx", status.TcMethod);
            Assert.NotEqual(0u, status.TcLinkId);
            Assert.Equal(1u, status.Generation);
            Assert.Equal(GuardSettings.Defaults, status.Settings);
            Assert.Equal(0, status.RuleCounts.Total);
            using var netns = NetworkNamespace.Open(bed.Veth.ReceiverNamespace);
            Assert.Equal(status.XdpProgramId, Sluice.Bpf.Xdp.Query(bed.Target.Interface, netns).ProgramId(mode));
            Assert.True(File.Exists(bed.Target.PinPath(GuardMapNames.XdpLink)));
            Assert.True(File.Exists(bed.Target.PinPath(GuardMapNames.TcLink)));
            Assert.True(File.Exists(bed.Target.PinPath(GuardMapNames.Rules4)));
            Assert.Equal([bed.Target], GuardTarget.ListAttached(bed.Root));
        }
        Assert.True(GuardController.Detach(bed.Target));
        Assert.False(Directory.Exists(bed.Target.PinDirectory));
        Assert.False(Directory.Exists(bed.Root));
        Assert.Empty(GuardTarget.ListAttached(bed.Root));
        using (var netns = NetworkNamespace.Open(bed.Veth.ReceiverNamespace))
        {
            Assert.False(Sluice.Bpf.Xdp.Query(bed.Target.Interface, netns).IsAttached);
            Assert.Empty(Tcx.Query(bed.Target.Interface, TcDirection.Ingress, netns).Programs);
        }
        Assert.False(GuardController.Detach(bed.Target));
    }

    [Fact]
    public void Attaching_again_keeps_the_state_and_a_second_controller_sees_it()
    {
        Requires.Root();
        using var bed = new GuardTargetBed();
        using var first = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Native });
        first.AddRules([GuardRule.Parse("deny 198.19.0.0/16"), GuardRule.Parse("allow 198.18.0.0/24 tcp/22")]);
        first.UpdateSettings(new GuardSettings { Limits = new GuardLimits { PacketsPerSecond = 1000, Burst = 10 } });
        var before = first.Status();
        using var again = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Native });
        using var opened = GuardController.Open(bed.Target);
        var after = opened.Status();
        Assert.Equal(before.XdpLinkId, after.XdpLinkId);
        Assert.Equal(before.TcLinkId, after.TcLinkId);
        Assert.NotEqual(before.XdpProgramId, after.XdpProgramId);
        Assert.Equal(before.Generation, after.Generation);
        Assert.Equal(1000u, after.Settings.Limits.PacketsPerSecond);
        Assert.Equal(["allow 198.18.0.0/24 tcp/22", "deny 198.19.0.0/16"], opened.Rules().Select(r => r.Rule.ToString()));
    }

    [Fact]
    public void Attaching_in_another_mode_replaces_the_link()
    {
        Requires.Root();
        using var bed = new GuardTargetBed();
        using var native = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Native });
        native.AddRules([GuardRule.Parse("deny 198.19.0.0/16")]);
        using var generic = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic });
        var status = generic.Status();
        Assert.Equal(XdpMode.Generic, status.XdpMode);
        Assert.Single(generic.Rules());
    }

    [Fact]
    public void Upgrade_keeps_rules_and_counters_and_changes_the_program()
    {
        Requires.Root();
        using var bed = new GuardTargetBed();
        using var guard = GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic });
        guard.AddRules([GuardRule.Parse("deny 198.19.0.0/16")]);
        using (var map = new BpfLpmTrie<uint, GuardRuleValue>(BpfMap.OpenPinned(bed.Target.PinPath(GuardMapNames.Rules4)), ownsMap: true))
        {
            var key = LpmKey.IPv4("198.19.0.0/16");
            var value = map.Lookup(key);
            value.Packets = 7;
            value.Bytes = 700;
            map.Update(key, value);
        }
        using (var stats = new BpfPerCpuArray<GuardCounter>(BpfMap.OpenPinned(bed.Target.PinPath(GuardMapNames.Stats)), ownsMap: true))
            stats.UpdateAll((uint)GuardReason.Denied, new GuardCounter(5, 500));
        var before = guard.Status();
        guard.Upgrade();
        var after = guard.Status();
        Assert.NotEqual(before.XdpProgramId, after.XdpProgramId);
        Assert.NotEqual(before.TcProgramId, after.TcProgramId);
        Assert.Equal(before.XdpLinkId, after.XdpLinkId);
        Assert.Equal(before.TcLinkId, after.TcLinkId);
        Assert.Equal(XdpMode.Generic, after.XdpMode);
        var rule = Assert.Single(guard.Rules());
        Assert.Equal((7ul, 700ul), (rule.Packets, rule.Bytes));
        Assert.Equal(5ul * (ulong)PossibleCpus.Count, guard.ReadStatistics()[GuardReason.Denied].Packets);
    }

    [Fact]
    public void Errors_are_one_line_guard_exceptions()
    {
        Requires.Root();
        using var bed = new GuardTargetBed();
        var missing = bed.Target with { };
        var noInterface = Assert.Throws<GuardException>(() => GuardController.Attach(new GuardTarget("nosuch0", bed.Veth.ReceiverNamespace) { Root = bed.Root }));
        Assert.Equal($"interface 'nosuch0' does not exist in network namespace '{bed.Veth.ReceiverNamespace}'", noInterface.Message);
        Assert.Equal(GuardFailure.InterfaceNotFound, noInterface.Reason);
        var noNamespace = Assert.Throws<GuardException>(() => GuardController.Attach(new GuardTarget("eth0", "sluice-no-such-ns") { Root = bed.Root }));
        Assert.Equal("network namespace 'sluice-no-such-ns' does not exist", noNamespace.Message);
        Assert.Equal(GuardFailure.NamespaceNotFound, noNamespace.Reason);
        var notAttached = Assert.Throws<GuardException>(() => GuardController.Open(missing));
        // The library states the fact and its kind; only the CLI words the way out as a command.
        Assert.Equal($"no guard on {bed.Target.Interface} (netns {bed.Veth.ReceiverNamespace})", notAttached.Message);
        Assert.Equal(GuardFailure.NotAttached, notAttached.Reason);
        Assert.Equal(missing, notAttached.Target);
        var offload = Assert.Throws<GuardException>(() => GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Offload }));
        Assert.StartsWith($"{bed.Target.Describe()} cannot run XDP in offload mode", offload.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', offload.Message);
        Assert.Equal(GuardFailure.ModeNotSupported, offload.Reason);
        Assert.IsType<BpfAttachException>(offload.InnerException, exactMatch: false);
        Assert.False(Directory.Exists(bed.Target.PinDirectory));

        // A program someone else attached holds the hook.
        using var netns = NetworkNamespace.Open(bed.Veth.ReceiverNamespace);
        using var other = BpfCollection.Load(EmbeddedObjects.Read("packet_counter.bpf.o"));
        using var occupant = Sluice.Bpf.Xdp.Attach(other.Program("count_packets"), bed.Target.Interface, XdpMode.Native,
            new XdpAttachOptions { Namespace = netns, Method = XdpAttachMethod.Netlink });
        var taken = Assert.Throws<GuardException>(() => GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Native }));
        Assert.Contains("already taken by program", taken.Message, StringComparison.Ordinal);
        Assert.Equal(GuardFailure.HookOccupied, taken.Reason);
        Assert.False(Directory.Exists(bed.Target.PinDirectory));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Pin_directories_are_private_and_a_planted_symlink_is_refused_never_followed()
    {
        Requires.Root();
        using var bed = new GuardTargetBed();
        using (GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic }))
        {
            const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            Assert.Equal(Private, File.GetUnixFileMode(bed.Target.PinDirectory));
            Assert.Equal(Private, File.GetUnixFileMode(Path.GetDirectoryName(bed.Target.PinDirectory)!));
        }
        GuardController.Detach(bed.Target);

        // Someone plants <root>/<netns> -> a directory of theirs holding "<interface>/xdp_link".
        string victim = Directory.CreateTempSubdirectory("sluice-victim-").FullName;
        string label = Path.GetDirectoryName(bed.Target.PinDirectory)!;
        try
        {
            Directory.CreateDirectory(Path.Combine(victim, bed.Target.Interface));
            File.WriteAllText(Path.Combine(victim, bed.Target.Interface, "xdp_link"), "precious");
            Directory.CreateDirectory(bed.Root);
            File.CreateSymbolicLink(label, victim);
            var detach = Assert.Throws<GuardException>(() => GuardController.Detach(bed.Target));
            Assert.Contains("is a symbolic link", detach.Message, StringComparison.Ordinal);
            var attach = Assert.Throws<GuardException>(() => GuardController.Attach(bed.Target, new GuardAttachOptions { Mode = XdpMode.Generic }));
            Assert.Contains("is not safe", attach.Message, StringComparison.Ordinal);
            Assert.Equal("precious", File.ReadAllText(Path.Combine(victim, bed.Target.Interface, "xdp_link")));
        }
        finally
        {
            if (File.Exists(label) || Directory.Exists(label)) File.Delete(label);
            Directory.Delete(victim, recursive: true);
        }
    }
}
