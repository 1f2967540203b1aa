using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Links;

public class NetAttachmentsTests
{
    [Fact]
    public void Lists_xdp_tcx_and_tc_filters_of_a_namespace_with_program_names()
    {
        Requires.Root();
        using var bed = new TestBed();
        using var xdp = DropList.Xdp();
        using var tc = DropList.Tc();
        using var xdpLink = XdpLink.Attach(xdp.A, bed.ReceiverInterface, XdpMode.Generic, bed.Receiver);
        using var first = TcxLink.Attach(tc.A, bed.ReceiverInterface, TcDirection.Ingress, netns: bed.Receiver);
        using var second = TcxLink.Attach(tc.B, bed.ReceiverInterface, TcDirection.Ingress, TcxOrder.First, bed.Receiver);
        using var filter = TcFilterAttachment.Attach(tc.A, bed.ReceiverInterface, TcDirection.Egress, priority: 5, handle: 2, netns: bed.Receiver);

        var all = NetAttachments.List(bed.Receiver);

        Assert.All(all, a => Assert.Equal(bed.ReceiverInterface, a.InterfaceName));
        var x = Assert.Single(all, a => a.Hook == NetHook.Xdp);
        Assert.Equal((XdpMode.Generic, xdp.A.Id, "xdp_drop_a", xdpLink.Id), (x.XdpMode, x.ProgramId, x.ProgramName, x.LinkId));

        var tcx = all.Where(a => a.Hook == NetHook.Tcx).OrderBy(a => a.Position).ToList();
        Assert.Equal([("tc_drop_b", 0, second.Id), ("tc_drop_a", 1, first.Id)], tcx.Select(a => (a.ProgramName, a.Position!.Value, a.LinkId!.Value)));
        Assert.All(tcx, a => Assert.Equal(TcDirection.Ingress, a.Direction));

        var f = Assert.Single(all, a => a.Hook == NetHook.TcFilter);
        Assert.Equal((TcDirection.Egress, (ushort)5, 2u, tc.A.Id, "tc_drop_a"), (f.Direction!.Value, f.Priority!.Value, f.Handle!.Value, f.ProgramId, f.ProgramName));

        // The sender namespace has nothing attached, and its listing does not leak the receiver's.
        Assert.Empty(NetAttachments.List(bed.Sender));
    }
}
