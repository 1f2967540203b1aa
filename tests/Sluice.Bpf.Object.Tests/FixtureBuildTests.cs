using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Object.Tests;

public class FixtureBuildTests
{
    [Fact]
    public void Fixtures_are_compiled_to_little_endian_bpf_elf_objects()
    {
        var bytes = Fixture.Bytes("minimal");
        Assert.Equal("\u007fELF"u8.ToArray(), bytes[..4]);
        Assert.Equal(2, bytes[4]); // ELFCLASS64
        Assert.Equal(1, bytes[5]); // little-endian
        Assert.Equal(247, BitConverter.ToUInt16(bytes, 18)); // EM_BPF
    }
}
