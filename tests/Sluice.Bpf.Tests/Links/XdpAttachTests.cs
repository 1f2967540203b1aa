using Sluice.Tests;
using Xunit;
using static Sluice.Lab.VethNamespaces;

namespace Sluice.Bpf.Tests.Links;

public class XdpAttachTests
{
    public static TheoryData<XdpMode, XdpAttachMethod> Modes => new()
    {
        { XdpMode.Native, XdpAttachMethod.Link },
        { XdpMode.Generic, XdpAttachMethod.Link },
        { XdpMode.Native, XdpAttachMethod.Netlink },
        { XdpMode.Generic, XdpAttachMethod.Netlink },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Listed_source_is_dropped_others_pass_and_detach_restores_delivery(XdpMode mode, XdpAttachMethod method)
    {
        Requires.Root();
        using var bed = new TestBed();
        using var drop = DropList.Xdp();
        using var traffic = bed.Traffic();
        drop.DropFrom(SenderSecondAddress);

        var attachment = Xdp.Attach(drop.A, bed.ReceiverInterface, mode, new XdpAttachOptions { Namespace = bed.Receiver, Method = method });
        try
        {
            Assert.Equal(method == XdpAttachMethod.Link ? AttachmentKind.XdpLink : AttachmentKind.XdpNetlink, attachment.Kind);
            Assert.Equal(drop.A.Id, attachment.ProgramId);
            var state = Xdp.Query(bed.ReceiverInterface, bed.Receiver);
            Assert.Equal(drop.A.Id, state.ProgramId(mode));
            Assert.Single(state.Attachments());

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

        Assert.False(Xdp.Query(bed.ReceiverInterface, bed.Receiver).IsAttached);
        traffic.Send(SenderSecondAddress, 20);
        Assert.Equal(20, traffic.Receive(20).GetValueOrDefault(SenderSecondAddress));
        Assert.Equal(80UL, drop.Total);
    }

    [Theory]
    [InlineData(XdpAttachMethod.Link)]
    [InlineData(XdpAttachMethod.Netlink)]
    public void Best_available_mode_on_veth_is_native(XdpAttachMethod method)
    {
        Requires.Root();
        using var bed = new TestBed();
        using var drop = DropList.Xdp();
        using var attachment = Xdp.Attach(drop.A, bed.ReceiverInterface, XdpMode.BestAvailable,
            new XdpAttachOptions { Namespace = bed.Receiver, Method = method });
        var mode = attachment is XdpLink link ? link.Mode : ((XdpNetlinkAttachment)attachment).Mode;
        Assert.Equal(XdpMode.Native, mode);
        Assert.Equal(drop.A.Id, Xdp.Query(bed.ReceiverInterface, bed.Receiver).NativeProgramId);
    }

    [Theory]
    [InlineData(XdpMode.Native, XdpAttachMethod.Link)]
    [InlineData(XdpMode.Generic, XdpAttachMethod.Link)]
    [InlineData(XdpMode.Native, XdpAttachMethod.Netlink)]
    public void Atomic_replace_under_a_steady_stream_loses_no_packet(XdpMode mode, XdpAttachMethod method)
    {
        Requires.Root();
        using var bed = new TestBed();
        using var drop = DropList.Xdp();
        using var traffic = bed.Traffic();
        drop.DropFrom(SenderSecondAddress);
        using var attachment = Xdp.Attach(drop.A, bed.ReceiverInterface, mode, new XdpAttachOptions { Namespace = bed.Receiver, Method = method });

        var result = SteadyStream.Run(traffic, drop, () => attachment.Update(drop.B));

        Assert.Equal(drop.B.Id, attachment.ProgramId);
        Assert.Equal(drop.B.Id, Xdp.Query(bed.ReceiverInterface, bed.Receiver).ProgramId(mode));
        result.AssertEveryPacketHandledByExactlyOneProgram(drop);
    }
}
