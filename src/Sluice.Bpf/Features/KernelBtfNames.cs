using System.Buffers.Binary;

namespace Sluice.Bpf.Features;

/// <summary>
/// Type names in the running kernel's BTF (/sys/kernel/btf/vmlinux). Whether a kernel struct exists says whether the
/// code behind it was built in, which is how attach kinds that cannot be probed without attaching are judged
/// (struct tcx_link exists iff TCX does). Only the string section is read, once per process: a byte search, no parse.
/// </summary>
internal static class KernelBtfNames
{
    private const string VmlinuxPath = "/sys/kernel/btf/vmlinux";
    private static readonly Lazy<byte[]?> Strings = new(Load);

    /// <summary>True when kernel BTF is present, so <see cref="Contains"/> means something.</summary>
    internal static bool Available => Strings.Value is not null;

    /// <summary>Whether a type or member called <paramref name="name"/> appears in the kernel's BTF.</summary>
    internal static bool Contains(string name)
    {
        var strings = Strings.Value;
        if (strings is null) return false;
        Span<byte> needle = stackalloc byte[name.Length + 2];
        needle[0] = 0;
        for (int i = 0; i < name.Length; i++) needle[i + 1] = (byte)name[i];
        needle[^1] = 0;
        return strings.AsSpan().IndexOf(needle) >= 0;
    }

    private static byte[]? Load()
    {
        try
        {
            byte[] blob = File.ReadAllBytes(VmlinuxPath);
            // struct btf_header: magic u16, version u8, flags u8, hdr_len u32, type_off, type_len, str_off, str_len.
            if (blob.Length < 24 || BinaryPrimitives.ReadUInt16LittleEndian(blob) != 0xEB9F) return null;
            int header = (int)BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(4));
            int offset = (int)BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(16));
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(20));
            long start = (long)header + offset;
            if (start < 0 || start + length > blob.Length) return null;
            // Prefix a NUL so the first string matches "\0name\0" too.
            var strings = new byte[length + 1];
            blob.AsSpan((int)start, length).CopyTo(strings.AsSpan(1));
            return strings;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null; // no CONFIG_DEBUG_INFO_BTF: callers fall back to the kernel version
        }
    }
}
