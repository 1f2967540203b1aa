using System.Net;
using Sluice.Bpf;
using Sluice.Programs.Guard;
using Sluice.Lab.Traffic;
using Sluice.Tests;
using Xunit;

namespace Sluice.Programs.Tests.Guard.EndToEnd;

/// <summary>
/// The guard on a kernel without TCX (simulated with <see cref="Tcx.SimulateMissing"/>; ours has TCX): its TC stage
/// is a clsact cls_bpf filter instead of a pinned TCX link, it sees the traffic, and detach removes it.
/// </summary>
public sealed class TcFallbackEndToEndTests
{
    [Fact]
    public async Task Without_tcx_the_tc_stage_is_a_clsact_filter_that_sees_traffic_and_detach_removes_it()
    {
        Requires.Root();
        using var withoutTcx = Tcx.SimulateMissing();
        using var lab = new GuardLab(XdpMode.Generic);
        var status = lab.Guard.Status();
        Assert.Equal("cls_bpf", status.TcMethod);
        Assert.Equal(0u, status.TcLinkId);
        var filter = Assert.Single(Sluice.Bpf.Tc.ListFilters(lab.Target.Interface, TcDirection.Ingress, lab.Receiver));
        Assert.Equal(status.TcProgramId, filter.ProgramId);
        Assert.Empty(Tcx.Query(lab.Target.Interface, TcDirection.Ingress, lab.Receiver).Programs);
        Assert.False(File.Exists(lab.Target.PinPath(GuardMapNames.TcLink)));

        // Attaching again replaces the filter in place: still exactly one.
        using (GuardController.Attach(lab.Target, new GuardAttachOptions { Mode = XdpMode.Generic })) { }
        Assert.Single(Sluice.Bpf.Tc.ListFilters(lab.Target.Interface, TcDirection.Ingress, lab.Receiver));

        using (var sink = UdpSink.Start(new IPEndPoint(GuardLab.ServerAddress, 9400), lab.Receiver))
        {
            var before = lab.Guard.ReadStatistics()[GuardReason.TcPassed].Packets;
            long sent = await new UdpStream(new IPEndPoint(GuardLab.ClientAddress, 0), sink.LocalEndPoint, 1000) { MaxPackets = 20 }
                .Start(lab.Sender, TestContext.Current.CancellationToken);
            Assert.Equal(20, sent);
            Assert.True(Wait.Until(() => sink.Received >= sent), $"{sink.Received} of {sent} arrived");
            ulong seen = lab.Guard.ReadStatistics()[GuardReason.TcPassed].Packets - before;
            Assert.True(seen >= (ulong)sent, $"the TC filter passed {seen} packets, {sent} arrived");
        }

        Assert.True(GuardController.Detach(lab.Target));
        Assert.Empty(Sluice.Bpf.Tc.ListFilters(lab.Target.Interface, TcDirection.Ingress, lab.Receiver));
        Assert.False(Sluice.Bpf.Xdp.Query(lab.Target.Interface, lab.Receiver).IsAttached);
    }
}
