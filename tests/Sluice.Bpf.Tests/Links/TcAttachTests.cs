using Sluice.Tests;
using Xunit;
using static Sluice.Lab.VethNamespaces;

namespace Sluice.Bpf.Tests.Links;

public class TcAttachTests
{
    public static TheoryData<TcAttachMethod, TcDirection> Hooks => new()
    {
        { TcAttachMethod.Tcx, TcDirection.Ingress },
        { TcAttachMethod.Tcx, TcDirection.Egress },
        { TcAttachMethod.Filter, TcDirection.Ingress },
        { TcAttachMethod.Filter, TcDirection.Egress },
    };

    [Theory]
    [MemberData(nameof(Hooks))]
    public void Listed_source_is_dropped_others_pass_and_detach_restores_delivery(TcAttachMethod method, TcDirection direction)
    {
        Requires.Root();
        using var bed = new TestBed();
        using var drop = DropList.Tc();
        using var traffic = bed.Traffic();
        drop.DropFrom(SenderSecondAddress);
        // Ingress runs on the receiver's veth end, egress on the sender's: both see the same packets.
        var (netns, device) = direction == TcDirection.Ingress ? (bed.Receiver, bed.ReceiverInterface) : (bed.Sender, bed.SenderInterface);

        var attachment = Tc.Attach(drop.A, device, direction, new TcAttachOptions { Namespace = netns, Method = method });
        try
        {
            Assert.Equal(method == TcAttachMethod.Tcx ? AttachmentKind.TcxLink : AttachmentKind.TcFilter, attachment.Kind);
            Assert.Equal(drop.A.Id, attachment.ProgramId);
            if (method == TcAttachMethod.Tcx)
                Assert.Equal([drop.A.Id], Tcx.Query(device, direction, netns).Programs.Select(p => p.ProgramId));
            else
                Assert.Equal(drop.A.Id, Assert.Single(Tc.ListFilters(device, direction, netns)).ProgramId);

            traffic.Send(SenderAddress, 40);
            traffic.Send(SenderSecondAddress, 40);
            var received = traffic.Receive(40);

            Assert.Equal(40, received.GetValueOrDefault(SenderAddress));
            Assert.Equal(0, received.GetValueOrDefault(SenderSecondAddress));
            Assert.Equal((40UL, 40UL), drop.Counts(0));
        }
        finally
        {
            attachment.Dispose();
        }

        Assert.Empty(Tcx.Query(device, direction, netns).Programs);
        Assert.Empty(Tc.ListFilters(device, direction, netns));
        traffic.Send(SenderSecondAddress, 20);
        Assert.Equal(20, traffic.Receive(20).GetValueOrDefault(SenderSecondAddress));
        Assert.Equal(80UL, drop.Total);
    }

    [Theory]
    [InlineData(TcAttachMethod.Tcx)]
    [InlineData(TcAttachMethod.Filter)]
    public void Atomic_replace_under_a_steady_stream_loses_no_packet(TcAttachMethod method)
    {
        Requires.Root();
        using var bed = new TestBed();
        using var drop = DropList.Tc();
        using var traffic = bed.Traffic();
        drop.DropFrom(SenderSecondAddress);
        using var attachment = Tc.Attach(drop.A, bed.ReceiverInterface, TcDirection.Ingress,
            new TcAttachOptions { Namespace = bed.Receiver, Method = method });

        var result = SteadyStream.Run(traffic, drop, () => attachment.Update(drop.B));

        Assert.Equal(drop.B.Id, attachment.ProgramId);
        result.AssertEveryPacketHandledByExactlyOneProgram(drop);
    }

    [Fact]
    public void Auto_picks_tcx_on_this_kernel()
    {
        Requires.Root();
        Assert.True(Tcx.IsSupported, "Linux 6.6+ has TCX; this machine runs 6.18");
        using var bed = new TestBed();
        using var drop = DropList.Tc();
        using var attachment = Tc.Attach(drop.A, bed.ReceiverInterface, TcDirection.Ingress, new TcAttachOptions { Namespace = bed.Receiver });
        Assert.IsType<TcxLink>(attachment);
    }

    [Fact]
    public void Tcx_order_first_last_before_and_after()
    {
        Requires.Root();
        using var bed = new TestBed();
        using var drop = DropList.Tc();
        using var other = DropList.Tc();
        using var a = TcxLink.Attach(drop.A, bed.ReceiverInterface, TcDirection.Ingress, netns: bed.Receiver);
        using var b = TcxLink.Attach(drop.B, bed.ReceiverInterface, TcDirection.Ingress, TcxOrder.First, bed.Receiver);
        using var c = TcxLink.Attach(other.A, bed.ReceiverInterface, TcDirection.Ingress, TcxOrder.AfterProgram(drop.B.Id), bed.Receiver);
        using var d = TcxLink.Attach(other.B, bed.ReceiverInterface, TcDirection.Ingress, TcxOrder.BeforeLink(a.Id), bed.Receiver);

        var state = Tcx.Query(bed.ReceiverInterface, TcDirection.Ingress, bed.Receiver);
        Assert.Equal([drop.B.Id, other.A.Id, other.B.Id, drop.A.Id], state.Programs.Select(p => p.ProgramId));
        Assert.Equal([b.Id, c.Id, d.Id, a.Id], state.Programs.Select(p => p.LinkId!.Value));
        Assert.Equal(TcDirection.Ingress, a.Direction);

        var missing = Assert.Throws<BpfAttachException>(() =>
            TcxLink.Attach(drop.A, bed.ReceiverInterface, TcDirection.Egress, TcxOrder.BeforeProgram(drop.B.Id), bed.Receiver));
        Assert.Contains("not attached there", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Filter_slot_taken_names_the_occupant_and_replace_takes_it_over()
    {
        Requires.Root();
        using var bed = new TestBed();
        using var drop = DropList.Tc();
        using var first = TcFilterAttachment.Attach(drop.A, bed.ReceiverInterface, TcDirection.Ingress, priority: 7, handle: 3, netns: bed.Receiver);

        var error = Assert.Throws<BpfAttachException>(() =>
            TcFilterAttachment.Attach(drop.B, bed.ReceiverInterface, TcDirection.Ingress, priority: 7, handle: 3, netns: bed.Receiver));
        Assert.Equal(AttachFailure.HookOccupied, error.Reason);
        Assert.Equal(drop.A.Id, error.AttachedProgramId);
        Assert.Contains("tc_drop_a", error.Message, StringComparison.Ordinal);

        using var second = TcFilterAttachment.Attach(drop.B, bed.ReceiverInterface, TcDirection.Ingress, priority: 8, handle: 1, netns: bed.Receiver);
        var filters = Tc.ListFilters(bed.ReceiverInterface, TcDirection.Ingress, bed.Receiver);
        Assert.Equal([(7, 3u, drop.A.Id), (8, 1u, drop.B.Id)], filters.Select(f => ((int)f.Priority, f.Handle, f.ProgramId)).Order());
        Assert.All(filters, f => Assert.True(f.DirectAction));

        Assert.True(Tc.DetachFilter(bed.ReceiverInterface, TcDirection.Ingress, 8, 1, bed.Receiver));
        Assert.False(Tc.DetachFilter(bed.ReceiverInterface, TcDirection.Ingress, 8, 1, bed.Receiver));
        second.Detach();
        Assert.Single(Tc.ListFilters(bed.ReceiverInterface, TcDirection.Ingress, bed.Receiver));
    }

    [Fact]
    public void Wrong_program_type_and_unknown_interface_are_named()
    {
        Requires.Root();
        using var bed = new TestBed();
        using var xdp = DropList.Xdp();
        using var tc = DropList.Tc();
        foreach (var method in new[] { TcAttachMethod.Tcx, TcAttachMethod.Filter })
        {
            var wrong = Assert.Throws<BpfAttachException>(() =>
                Tc.Attach(xdp.A, bed.ReceiverInterface, TcDirection.Ingress, new TcAttachOptions { Namespace = bed.Receiver, Method = method }));
            Assert.Equal(AttachFailure.WrongProgramType, wrong.Reason);
            Assert.Contains("xdp_drop_a", wrong.Message, StringComparison.Ordinal);

            var missing = Assert.Throws<BpfAttachException>(() =>
                Tc.Attach(tc.A, "sl-missing", TcDirection.Ingress, new TcAttachOptions { Namespace = bed.Receiver, Method = method }));
            Assert.Equal(AttachFailure.InterfaceNotFound, missing.Reason);
        }
    }
}
