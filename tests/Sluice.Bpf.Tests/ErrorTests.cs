using Sluice.Bpf.Interop;
using Xunit;

namespace Sluice.Bpf.Tests;

public class ErrorTests
{
    [Fact]
    public void Errno_becomes_a_named_exception_with_the_command()
    {
        var error = BpfException.FromErrno(BpfCommand.MapCreate, 1);
        Assert.Equal("BPF_MAP_CREATE", error.Command);
        Assert.Equal("EPERM", error.ErrnoName);
        Assert.Contains("BPF_MAP_CREATE failed: EPERM", error.Message, StringComparison.Ordinal);
        Assert.Contains("CAP_BPF", error.Message, StringComparison.Ordinal);
    }
}
