using System.Buffers.Binary;

namespace Sluice.Bpf;

/// <summary>
/// Reads and writes C bitfields in a struct's bytes by their BTF bit offset and width (little-endian, as BPF
/// targets lay them out). Generated structs use it for members C# has no syntax for.
/// </summary>
public static class BtfBitfield
{
    /// <summary>The widest bitfield handled: its bits, shifted by up to 7, must fit one 64-bit read.</summary>
    public const int MaxBits = 57;

    /// <summary>The value of the <paramref name="bits"/>-bit field at <paramref name="bitOffset"/>; sign-extended when <paramref name="signed"/>.</summary>
    public static ulong Read(ReadOnlySpan<byte> bytes, uint bitOffset, uint bits, bool signed)
    {
        ulong word = Window(bytes, bitOffset, bits, out int shift);
        ulong value = (word >> shift) & Mask(bits);
        if (signed && bits < 64 && (value & (1UL << (int)(bits - 1))) != 0) value |= ~Mask(bits);
        return value;
    }

    /// <summary>Stores the low <paramref name="bits"/> bits of <paramref name="value"/> at <paramref name="bitOffset"/>, leaving the other bits alone.</summary>
    public static void Write(Span<byte> bytes, uint bitOffset, uint bits, ulong value)
    {
        ulong word = Window(bytes, bitOffset, bits, out int shift);
        ulong mask = Mask(bits) << shift;
        word = (word & ~mask) | ((value << shift) & mask);
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, word);
        int start = (int)(bitOffset / 8);
        buffer[..Math.Min(8, bytes.Length - start)].CopyTo(bytes[start..]);
    }

    private static ulong Window(ReadOnlySpan<byte> bytes, uint bitOffset, uint bits, out int shift)
    {
        if (bits is 0 or > MaxBits) throw new ArgumentOutOfRangeException(nameof(bits), bits, $"bitfields of 1..{MaxBits} bits are supported");
        int start = (int)(bitOffset / 8);
        shift = (int)(bitOffset % 8);
        if (start + ((shift + bits + 7) / 8) > bytes.Length)
            throw new ArgumentOutOfRangeException(nameof(bitOffset), bitOffset, "the bitfield lies outside the struct");
        Span<byte> buffer = stackalloc byte[8];
        buffer.Clear();
        bytes.Slice(start, Math.Min(8, bytes.Length - start)).CopyTo(buffer);
        return BinaryPrimitives.ReadUInt64LittleEndian(buffer);
    }

    private static ulong Mask(uint bits) => bits >= 64 ? ulong.MaxValue : (1UL << (int)bits) - 1;
}
