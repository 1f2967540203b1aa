using System.Globalization;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Links;

public class LinkPinTests
{
    /// <summary>First argument of the test executable that makes it run one child step (see <see cref="RunChildStep"/>).</summary>
    internal const string ChildArgument = "--link-pin-child-step";

    [Fact]
    public void Pinned_xdp_link_outlives_its_owner_and_is_updated_and_detached_by_other_processes()
    {
        Requires.Root();
        using var bed = new TestBed();
        string directory = $"/sys/fs/bpf/sluice-test-{Environment.ProcessId}-{Guid.NewGuid():N}";
        string pin = Path.Combine(directory, "xdp_link");
        try
        {
            uint linkId, firstProgram;
            using (var drop = DropList.Xdp())
            using (var link = XdpLink.Attach(drop.A, bed.ReceiverInterface, XdpMode.Native, bed.Receiver))
            {
                link.Pin(pin);
                (linkId, firstProgram) = (link.Id, drop.A.Id);
            }
            // Every fd of ours is closed: only the pin keeps the program attached.
            Assert.Equal(firstProgram, Xdp.Query(bed.ReceiverInterface, bed.Receiver).NativeProgramId);

            using (var opened = BpfLink.OpenPinned(pin))
            {
                var reopened = Assert.IsType<XdpLink>(opened);
                Assert.Equal(linkId, reopened.Id);
                Assert.Equal(firstProgram, reopened.ProgramId);
                Assert.Equal(bed.Receiver.GetInterfaceIndex(bed.ReceiverInterface), reopened.InterfaceIndex);
                Assert.Equal(firstProgram, reopened.GetInfo().ProgramId);
            }

            uint replacement = uint.Parse(RunInChildProcess("update", pin), CultureInfo.InvariantCulture);
            Assert.NotEqual(firstProgram, replacement);
            Assert.Equal(replacement, Xdp.Query(bed.ReceiverInterface, bed.Receiver).NativeProgramId);

            Assert.Equal("detached", RunInChildProcess("detach", pin));
            Assert.False(Xdp.Query(bed.ReceiverInterface, bed.Receiver).IsAttached);
            Assert.False(File.Exists(pin));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// The other process of the test above: the parent starts this test executable again with
    /// <see cref="ChildArgument"/>, and <c>Program.Main</c> hands the step here instead of running tests. Not a test
    /// itself: it has nothing to assert without its parent. Returns the text the parent reads back.
    /// </summary>
    internal static string RunChildStep(string step, string pin)
    {
        using var link = BpfLink.OpenPinned(pin);
        switch (step)
        {
            case "update":
                using (var drop = DropList.Xdp())
                {
                    link.Update(drop.B);
                    return drop.B.Id.ToString(CultureInfo.InvariantCulture);
                }
            case "detach":
                link.Detach();
                link.Unpin();
                return "detached";
            default:
                throw new ArgumentException($"unknown step {step}", nameof(step));
        }
    }

    [Fact]
    public void Pinned_tcx_link_reopens_with_its_direction_and_can_be_updated_and_unpinned()
    {
        Requires.Root();
        using var bed = new TestBed();
        using var drop = DropList.Tc();
        string directory = $"/sys/fs/bpf/sluice-test-{Environment.ProcessId}-{Guid.NewGuid():N}";
        string pin = Path.Combine(directory, "tcx_link");
        try
        {
            using (var link = TcxLink.Attach(drop.A, bed.SenderInterface, TcDirection.Egress, netns: bed.Sender))
                link.Pin(pin);
            using (var opened = BpfLink.OpenPinned(pin))
            {
                var reopened = Assert.IsType<TcxLink>(opened);
                Assert.Equal(TcDirection.Egress, reopened.Direction);
                reopened.Update(drop.B);
                Assert.Equal([drop.B.Id], Tcx.Query(bed.SenderInterface, TcDirection.Egress, bed.Sender).Programs.Select(p => p.ProgramId));
                reopened.Unpin();
                Assert.False(File.Exists(pin));
            }
            // Unpinned and closed: the link is gone and the program detached.
            Assert.Empty(Tcx.Query(bed.SenderInterface, TcDirection.Egress, bed.Sender).Programs);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Netlink_attachments_refuse_to_pin_and_say_what_to_do_instead()
    {
        Requires.Root();
        using var bed = new TestBed();
        using var drop = DropList.Xdp();
        using var attachment = Xdp.Attach(drop.A, bed.ReceiverInterface, XdpMode.Generic,
            new XdpAttachOptions { Namespace = bed.Receiver, Method = XdpAttachMethod.Netlink });
        var error = Assert.Throws<NotSupportedException>(() => attachment.Pin("/sys/fs/bpf/never"));
        Assert.Contains("DetachOnDispose", error.Message, StringComparison.Ordinal);
    }

    private static string RunInChildProcess(string step, string pin)
    {
        string result = Path.GetTempFileName();
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo(Environment.ProcessPath!)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { ChildArgument, step, pin, result })
                start.ArgumentList.Add(argument);
            using var child = System.Diagnostics.Process.Start(start)!;
            var output = child.StandardOutput.ReadToEndAsync();
            var errors = child.StandardError.ReadToEndAsync();
            // A generous bound: it only turns a hung child into a failure instead of a hung test run.
            if (!child.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                child.Kill(entireProcessTree: true);
                Assert.Fail($"child step '{step}' did not finish in 2 minutes");
            }
            Assert.True(child.ExitCode == 0, $"child step '{step}' failed:\n{output.Result}\n{errors.Result}");
            string text = File.ReadAllText(result);
            Assert.False(string.IsNullOrEmpty(text), $"child step '{step}' wrote no result:\n{output.Result}");
            return text;
        }
        finally
        {
            File.Delete(result);
        }
    }
}
