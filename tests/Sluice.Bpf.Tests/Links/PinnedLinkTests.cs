using Sluice.Tests;
using Xunit;
using static Sluice.Lab.VethNamespaces;

namespace Sluice.Bpf.Tests.Links;

/// <summary>The pinned-link helpers applications use: open if pinned, attach-or-update, the XDP mode a program runs in.</summary>
public class PinnedLinkTests
{
    [Fact]
    public void Xdp_attach_pinned_updates_the_pinned_link_in_place_and_traffic_follows_the_new_program()
    {
        Requires.Root();
        using var pins = new TestPinDirectory(create: true);
        using var bed = new TestBed();
        using var drop = DropList.Xdp();
        using var traffic = bed.Traffic();
        drop.DropFrom(SenderSecondAddress);
        string pin = pins.File("xdp_link");
        Assert.Null(PinnedLink.TryOpen(pin));

        uint linkId;
        using (var first = Xdp.AttachPinned(drop.A, bed.ReceiverInterface, XdpMode.Generic, pin, bed.Receiver))
        {
            linkId = first.Id;
            Assert.Equal(drop.A.Id, first.ProgramId);
        }
        // The handle is gone; the pin keeps the program attached.
        Assert.Equal(XdpMode.Generic, Xdp.CurrentMode(bed.ReceiverInterface, drop.A.Id, bed.Receiver));

        using (var second = Xdp.AttachPinned(drop.B, bed.ReceiverInterface, XdpMode.Generic, pin, bed.Receiver))
        {
            Assert.Equal(linkId, second.Id); // the same link: BPF_LINK_UPDATE, no window without a program
            Assert.Equal(drop.B.Id, second.GetInfo().ProgramId);
        }
        Assert.Null(Xdp.CurrentMode(bed.ReceiverInterface, drop.A.Id, bed.Receiver));
        Assert.Equal(XdpMode.Generic, Xdp.CurrentMode(bed.ReceiverInterface, drop.B.Id, bed.Receiver));

        traffic.Send(SenderAddress, 20);
        traffic.Send(SenderSecondAddress, 20);
        var received = traffic.Receive(20);
        Assert.Equal(20, received.GetValueOrDefault(SenderAddress));
        Assert.Equal(0, received.GetValueOrDefault(SenderSecondAddress));
        Assert.Equal((0UL, 0UL), drop.Counts(0));
        Assert.Equal((20UL, 20UL), drop.Counts(1));

        using (var reopened = PinnedLink.TryOpen(pin))
        {
            Assert.NotNull(reopened);
            Assert.Equal(linkId, reopened.Id);
        }
        Assert.True(PinnedLink.DetachAndUnpin(pin));
        Assert.False(File.Exists(pin));
        Assert.False(Xdp.Query(bed.ReceiverInterface, bed.Receiver).IsAttached);
        Assert.False(PinnedLink.DetachAndUnpin(pin));
    }

    [Fact]
    public void Xdp_attach_pinned_in_another_mode_replaces_the_link()
    {
        Requires.Root();
        using var pins = new TestPinDirectory(create: true);
        using var bed = new TestBed();
        using var drop = DropList.Xdp();
        string pin = pins.File("xdp_link");

        uint genericLink;
        using (var generic = Xdp.AttachPinned(drop.A, bed.ReceiverInterface, XdpMode.Generic, pin, bed.Receiver)) genericLink = generic.Id;
        using (var native = Xdp.AttachPinned(drop.A, bed.ReceiverInterface, XdpMode.Native, pin, bed.Receiver))
        {
            Assert.NotEqual(genericLink, native.Id);
            using var reopened = PinnedLink.TryOpen(pin);
            Assert.Equal(native.Id, reopened?.Id);
        }
        var state = Xdp.Query(bed.ReceiverInterface, bed.Receiver);
        Assert.Equal(drop.A.Id, state.NativeProgramId);
        Assert.Null(state.GenericProgramId);
        Assert.Equal(XdpMode.Native, state.ModeOf(drop.A.Id));
        Assert.Null(state.ModeOf(drop.B.Id));
        Assert.True(PinnedLink.DetachAndUnpin(pin));
    }

    [Fact]
    public void Tcx_attach_pinned_updates_in_place_and_moves_when_the_direction_changes()
    {
        Requires.Root();
        if (!Tcx.IsSupported) Requires.Unavailable("TCX needs Linux 6.6");
        using var pins = new TestPinDirectory(create: true);
        using var bed = new TestBed();
        using var drop = DropList.Tc();
        string pin = pins.File("tcx_link");

        uint linkId;
        using (var first = Tcx.AttachPinned(drop.A, bed.ReceiverInterface, TcDirection.Ingress, pin, bed.Receiver)) linkId = first.Id;
        using (var second = Tcx.AttachPinned(drop.B, bed.ReceiverInterface, TcDirection.Ingress, pin, bed.Receiver))
            Assert.Equal(linkId, second.Id);
        var ingress = Tcx.Query(bed.ReceiverInterface, TcDirection.Ingress, bed.Receiver);
        Assert.Equal([new TcxEntry(drop.B.Id, linkId)], ingress.Programs);

        using (var egress = Tcx.AttachPinned(drop.B, bed.ReceiverInterface, TcDirection.Egress, pin, bed.Receiver))
            Assert.NotEqual(linkId, egress.Id);
        Assert.Empty(Tcx.Query(bed.ReceiverInterface, TcDirection.Ingress, bed.Receiver).Programs);
        Assert.Single(Tcx.Query(bed.ReceiverInterface, TcDirection.Egress, bed.Receiver).Programs);
        Assert.True(PinnedLink.DetachAndUnpin(pin));
        Assert.Empty(Tcx.Query(bed.ReceiverInterface, TcDirection.Egress, bed.Receiver).Programs);
    }
}
