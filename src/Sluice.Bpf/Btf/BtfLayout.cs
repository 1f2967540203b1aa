using Sluice.Bpf.Object;
using System.Buffers.Binary;

namespace Sluice.Bpf;

/// <summary>
/// The wire layout of a BTF blob: a header, then 12-byte struct btf_type records each followed by kind-specific
/// data, then the string table. Only what the loader needs to walk and rewrite types in place.
/// </summary>
internal static class BtfLayout
{
    internal const ushort Magic = 0xeb9f;
    internal const int HeaderSize = 24;
    internal const int TypeSize = 12;

    /// <summary>struct btf_header fields the loader uses.</summary>
    internal readonly record struct Header(int HeaderLength, int TypeOffset, int TypeLength, int StringOffset, int StringLength)
    {
        /// <summary>Absolute start of the type section.</summary>
        internal int TypesStart => HeaderLength + TypeOffset;

        /// <summary>Absolute start of the string section.</summary>
        internal int StringsStart => HeaderLength + StringOffset;
    }

    /// <summary>Reads and checks the header of a little-endian (host order) blob.</summary>
    /// <exception cref="FormatException">Not BTF, or sections outside the blob.</exception>
    internal static Header ReadHeader(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < HeaderSize) throw new FormatException($"BTF blob is {blob.Length} bytes, shorter than its header");
        ushort magic = BinaryPrimitives.ReadUInt16LittleEndian(blob);
        if (magic != Magic)
            throw new FormatException(magic == 0x9feb
                ? "BTF blob is big-endian; the running kernel is little-endian"
                : $"not a BTF blob (magic 0x{magic:x4})");
        var header = new Header(
            (int)Read(blob, 4), (int)Read(blob, 8), (int)Read(blob, 12), (int)Read(blob, 16), (int)Read(blob, 20));
        if (header.HeaderLength < HeaderSize || (long)header.TypesStart + header.TypeLength > blob.Length ||
            (long)header.StringsStart + header.StringLength > blob.Length)
            throw new FormatException("BTF header points outside the blob");
        return header;
    }

    /// <summary>The kind in a btf_type info word.</summary>
    internal static BtfKind KindOf(uint info) => (BtfKind)((info >> 24) & 0x1f);

    /// <summary>The vlen in a btf_type info word.</summary>
    internal static int VlenOf(uint info) => (int)(info & 0xffff);

    /// <summary>The kind_flag bit of a btf_type info word.</summary>
    internal static bool KindFlagOf(uint info) => (info & 0x8000_0000) != 0;

    /// <summary>An info word.</summary>
    internal static uint Info(BtfKind kind, int vlen, bool kindFlag = false) =>
        ((uint)kind << 24) | ((uint)vlen & 0xffff) | (kindFlag ? 0x8000_0000 : 0);

    /// <summary>Bytes of kind-specific data after the 12-byte btf_type.</summary>
    /// <exception cref="FormatException">A kind newer than this loader knows.</exception>
    internal static int TrailingSize(BtfKind kind, int vlen) => kind switch
    {
        BtfKind.Int => 4,
        BtfKind.Pointer or BtfKind.Forward or BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict
            or BtfKind.Function or BtfKind.Float or BtfKind.TypeTag => 0,
        BtfKind.Array => 12,
        BtfKind.Struct or BtfKind.Union => 12 * vlen,
        BtfKind.Enum => 8 * vlen,
        BtfKind.FunctionProto => 8 * vlen,
        BtfKind.Variable => 4,
        BtfKind.DataSection => 12 * vlen,
        BtfKind.DeclarationTag => 4,
        BtfKind.Enum64 => 12 * vlen,
        _ => throw new FormatException($"unknown BTF kind {(int)kind}"),
    };

    internal static uint Read(ReadOnlySpan<byte> blob, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(blob[offset..]);

    internal static void Write(Span<byte> blob, int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(blob[offset..], value);
}
