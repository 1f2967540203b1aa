using System.Buffers.Binary;
using Sluice.Bpf.Object;
using Xunit;

namespace Sluice.Bpf.Object.Tests;

/// <summary>Uprobe offsets: a function's file offset in an executable, as libbpf computes it, checked against the ELF itself.</summary>
public class ExecutableSymbolsTests
{
    [Fact]
    public void Dynamic_symbol_of_a_shared_library_maps_to_its_file_offset()
    {
        string? libc = new[] { "/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6" }
            .FirstOrDefault(File.Exists);
        if (libc is null) Assert.Skip("no glibc shared library at the usual paths");
        byte[] bytes = File.ReadAllBytes(libc);
        ulong offset = ExecutableSymbols.FunctionOffset(bytes, "malloc", libc);
        // The code at that offset is inside an executable PT_LOAD segment of the file.
        Assert.True(InExecutableSegment(bytes, offset), $"offset 0x{offset:x} is not in an executable segment");
        // Versioned names (malloc@@GLIBC_2.2.5) match their base name, so two lookups agree.
        Assert.Equal(offset, ExecutableSymbols.FunctionOffset(bytes, "malloc", libc));
    }

    [Fact]
    public void Missing_function_and_non_elf_input_are_named()
    {
        var notElf = Assert.Throws<BpfObjectException>(() => ExecutableSymbols.FunctionOffset("hello"u8.ToArray(), "f", "x.txt"));
        Assert.Contains("x.txt", notElf.Message, StringComparison.Ordinal);
        Assert.Contains("not an ELF", notElf.Message, StringComparison.Ordinal);
        var bytes = File.ReadAllBytes("/bin/true");
        var missing = Assert.Throws<BpfObjectException>(() => ExecutableSymbols.FunctionOffset(bytes, "no_such_function_q", "/bin/true"));
        Assert.Contains("no_such_function_q", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_files_fail_cleanly()
    {
        var bytes = File.ReadAllBytes("/bin/true");
        foreach (int length in new[] { 0, 16, 64, 200, bytes.Length / 2 })
        {
            try
            {
                ExecutableSymbols.FunctionOffset(bytes.AsSpan(0, length), "main", "cut");
            }
            catch (BpfObjectException)
            {
                // expected: a clean refusal, never an out-of-range exception
            }
        }
    }

    private static bool InExecutableSegment(byte[] elf, ulong offset)
    {
        ulong table = BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(32));
        int size = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(54));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(56));
        for (int i = 0; i < count; i++)
        {
            var header = elf.AsSpan((int)table + i * size);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(header);
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            ulong fileOffset = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
            ulong fileSize = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            if (type == 1 && (flags & 1) != 0 && offset >= fileOffset && offset < fileOffset + fileSize) return true;
        }
        return false;
    }
}
