using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;
using static Sluice.Bpf.Tests.Programs.Asm;

namespace Sluice.Bpf.Tests.Programs;

public class TestRunAllocationTests
{
    [Fact]
    public void Test_runs_allocate_nothing_in_steady_state()
    {
        Requires.Root();
        using var program = BpfProgram.Load(Program("mark2prio", BpfProgramType.SchedCls, "GPL",
            LoadWord(R2, R1, 8), StoreWord(R1, 32, R2), MovImm(R0, 0), Exit()));
        var frame = Packets.Ipv4(Packets.Udp);
        var output = new byte[frame.Length];
        var context = new SkBuffContext { Mark = 5 };
        program.TestRun(frame, ref context, output); // warm up (JIT, first-call paths)

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) program.TestRun(frame, ref context, output);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(5u, context.Priority);
    }
}
