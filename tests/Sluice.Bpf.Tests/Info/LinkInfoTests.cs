using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;
using Sluice.Bpf.Tests.Programs;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Info;

public partial class LinkInfoTests
{
    private const int CloneNewNet = 0x40000000;
    private const uint AttachTypeXdp = 37;

    /// <summary>The head of bpf_attr.link_create; the kernel zero-fills the rest.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct XdpLinkCreate
    {
        public uint ProgramFd;
        public uint TargetIfIndex;
        public uint AttachType;
        public uint Flags;
    }

    [Fact]
    public void An_xdp_link_is_found_with_its_program_and_interface()
    {
        Requires.Root();
        using var program = BpfProgram.Load(Asm.Program("t_link_prog", BpfProgramType.Xdp, "GPL", Asm.MovImm(Asm.R0, 2), Asm.Exit()));
        BpfLinkInfo? fromFd = null;
        BpfLinkInfo? listed = null;
        BpfLinkInfo? byId = null;
        Exception? failure = null;
        // A thread of its own in a fresh network namespace, so the link goes on a private loopback (ifindex 1)
        // and disappears with the namespace; the rest of the process keeps its namespace.
        var thread = new Thread(() =>
        {
            try
            {
                if (Unshare(CloneNewNet) != 0) throw new InvalidOperationException($"unshare: errno {Marshal.GetLastSystemError()}");
                var attr = new XdpLinkCreate { ProgramFd = (uint)program.Fd.Value, TargetIfIndex = 1, AttachType = AttachTypeXdp };
                using var link = BpfSyscall.InvokeForFd(BpfCommand.LinkCreate, ref attr);
                fromFd = BpfLinkInfo.FromFd(link);
                listed = BpfLinkInfo.All().SingleOrDefault(l => l.Id == fromFd.Id);
                byId = BpfLinkInfo.FromId(fromFd.Id);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new InvalidOperationException("link test thread failed", failure);

        Assert.NotNull(fromFd);
        Assert.Equal(BpfLinkType.Xdp, fromFd.Type);
        Assert.Equal(program.Id, fromFd.ProgramId);
        Assert.Equal(1u, fromFd.IfIndex);
        Assert.Equal(fromFd, listed);
        Assert.Equal(fromFd, byId);

        // Closing the only fd destroyed the link (released asynchronously).
        Assert.True(Wait.Until(() => BpfLinkInfo.FromId(fromFd.Id) is null), $"link {fromFd.Id} was never freed");
    }

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    private static partial int Unshare(int flags);
}
