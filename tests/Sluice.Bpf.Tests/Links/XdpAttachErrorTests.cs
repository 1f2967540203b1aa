using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Links;

public class XdpAttachErrorTests
{
    [Fact]
    public void Unknown_interface_is_named_with_its_namespace()
    {
        Requires.Root();
        using var bed = new TestBed();
        using var drop = DropList.Xdp();
        var error = Assert.Throws<BpfAttachException>(() =>
            Xdp.Attach(drop.A, "sl-missing", XdpMode.Native, new XdpAttachOptions { Namespace = bed.Receiver }));
        Assert.Equal(AttachFailure.InterfaceNotFound, error.Reason);
        Assert.Contains("'sl-missing'", error.Message, StringComparison.Ordinal);
        Assert.Contains(bed.Pair.ReceiverNamespace, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Interface_of_another_namespace_is_not_found_here()
    {
        Requires.Root();
        using var bed = new TestBed();
        Assert.Null(bed.Sender.TryGetInterfaceIndex(bed.ReceiverInterface));
        Assert.True(bed.Receiver.GetInterfaceIndex(bed.ReceiverInterface) > 1);
    }

    [Fact]
    public void Program_of_the_wrong_type_is_refused_before_the_kernel_sees_it()
    {
        Requires.Root();
        using var bed = new TestBed();
        using var tc = DropList.Tc();
        var error = Assert.Throws<BpfAttachException>(() =>
            Xdp.Attach(tc.A, bed.ReceiverInterface, XdpMode.Native, new XdpAttachOptions { Namespace = bed.Receiver }));
        Assert.Equal(AttachFailure.WrongProgramType, error.Reason);
        Assert.Contains("tc_drop_a", error.Message, StringComparison.Ordinal);
        Assert.Contains("SchedCls", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Slot_held_by_a_link_names_the_link_and_its_program()
    {
        Requires.Root();
        using var bed = new TestBed();
        using var drop = DropList.Xdp();
        using var link = XdpLink.Attach(drop.A, bed.ReceiverInterface, XdpMode.Native, bed.Receiver);

        foreach (var method in new[] { XdpAttachMethod.Link, XdpAttachMethod.Netlink })
        {
            var error = Assert.Throws<BpfAttachException>(() =>
                Xdp.Attach(drop.B, bed.ReceiverInterface, XdpMode.Native, new XdpAttachOptions { Namespace = bed.Receiver, Method = method }));
            Assert.Equal(AttachFailure.HeldByLink, error.Reason);
            Assert.Equal(link.Id, error.HoldingLinkId);
            Assert.Equal(drop.A.Id, error.AttachedProgramId);
            Assert.Contains("xdp_drop_a", error.Message, StringComparison.Ordinal);
        }

        var detach = Assert.Throws<BpfAttachException>(() => Xdp.Detach(bed.ReceiverInterface, XdpMode.BestAvailable, bed.Receiver));
        Assert.Equal(AttachFailure.HeldByLink, detach.Reason);
        Assert.Equal(drop.A.Id, Xdp.Query(bed.ReceiverInterface, bed.Receiver).NativeProgramId);
    }

    [Fact]
    public void Slot_taken_through_netlink_names_the_occupant_and_carries_the_kernel_text()
    {
        Requires.Root();
        using var bed = new TestBed();
        using var drop = DropList.Xdp();
        using var first = Xdp.Attach(drop.A, bed.ReceiverInterface, XdpMode.Native,
            new XdpAttachOptions { Namespace = bed.Receiver, Method = XdpAttachMethod.Netlink });

        var error = Assert.Throws<BpfAttachException>(() => Xdp.Attach(drop.B, bed.ReceiverInterface, XdpMode.Native,
            new XdpAttachOptions { Namespace = bed.Receiver, Method = XdpAttachMethod.Netlink }));
        Assert.Equal(AttachFailure.HookOccupied, error.Reason);
        Assert.Equal(drop.A.Id, error.AttachedProgramId);
        Assert.Equal("xdp_drop_a", error.AttachedProgramName);
        Assert.False(string.IsNullOrEmpty(error.KernelMessage));
        Assert.Contains(error.KernelMessage!, error.Message, StringComparison.Ordinal);

        // A link cannot take over a slot a netlink program occupies either.
        var viaLink = Assert.Throws<BpfAttachException>(() => XdpLink.Attach(drop.B, bed.ReceiverInterface, XdpMode.Native, bed.Receiver));
        Assert.Equal(AttachFailure.HookOccupied, viaLink.Reason);
        Assert.Equal(drop.A.Id, viaLink.AttachedProgramId);
    }

    [Fact]
    public void Native_and_generic_cannot_be_active_together()
    {
        Requires.Root();
        using var bed = new TestBed();
        using var drop = DropList.Xdp();
        using var native = XdpLink.Attach(drop.A, bed.ReceiverInterface, XdpMode.Native, bed.Receiver);
        var error = Assert.Throws<BpfAttachException>(() => XdpLink.Attach(drop.B, bed.ReceiverInterface, XdpMode.Generic, bed.Receiver));
        Assert.True(error.Reason is AttachFailure.HookOccupied or AttachFailure.HeldByLink, error.ToString());
        Assert.True(drop.A.Id == error.AttachedProgramId, error.Message);
        Assert.Contains("native", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Offload_mode_on_veth_is_reported_as_unsupported()
    {
        Requires.Root();
        using var bed = new TestBed();
        using var drop = DropList.Xdp();
        foreach (var method in new[] { XdpAttachMethod.Link, XdpAttachMethod.Netlink })
        {
            var error = Assert.Throws<BpfAttachException>(() => Xdp.Attach(drop.A, bed.ReceiverInterface, XdpMode.Offload,
                new XdpAttachOptions { Namespace = bed.Receiver, Method = method }));
            Assert.Equal(AttachFailure.ModeNotSupported, error.Reason);
        }
        Assert.False(Xdp.Query(bed.ReceiverInterface, bed.Receiver).IsAttached);
    }

    [Fact]
    public void Replace_with_an_expected_program_fails_when_someone_else_changed_it()
    {
        Requires.Root();
        using var bed = new TestBed();
        using var drop = DropList.Xdp();
        using var attachment = (XdpNetlinkAttachment)Xdp.Attach(drop.A, bed.ReceiverInterface, XdpMode.Native,
            new XdpAttachOptions { Namespace = bed.Receiver, Method = XdpAttachMethod.Netlink });
        // Someone else swaps the program behind our back.
        using (var intruder = Xdp.Attach(drop.B, bed.ReceiverInterface, XdpMode.Native,
            new XdpAttachOptions { Namespace = bed.Receiver, Method = XdpAttachMethod.Netlink, ReplaceExisting = true }))
        {
            var error = Assert.Throws<BpfAttachException>(() => attachment.Update(drop.A));
            Assert.Equal(AttachFailure.ExpectedProgramMismatch, error.Reason);
            ((XdpNetlinkAttachment)intruder).DetachOnDispose = true;
        }
        Assert.False(Xdp.Query(bed.ReceiverInterface, bed.Receiver).IsAttached);
    }
}
