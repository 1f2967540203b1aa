using System.Buffers.Binary;
using System.Text;

namespace Sluice.Bpf.Object.Tests;

/// <summary>Writes small BTF blobs by hand, for kinds clang 14 does not emit (ENUM64, FLOAT) and for broken chains.</summary>
internal sealed class BtfBuilder
{
    private readonly List<byte> _types = [];
    private readonly List<byte> _strings = [0];
    private uint _count;

    public uint Add(string name, BtfKind kind, int vlen, uint sizeOrType, bool kindFlag = false, params uint[] extra)
    {
        Word(String(name));
        Word(((uint)kind << 24) | (uint)vlen | (kindFlag ? 1u << 31 : 0));
        Word(sizeOrType);
        foreach (var word in extra) Word(word);
        return ++_count;
    }

    public uint Int(string name, uint size, bool signed) =>
        Add(name, BtfKind.Int, 0, size, false, (signed ? 1u << 24 : 0) | (size * 8));

    public uint Enum64(string name, bool signed, params (string Name, long Value)[] values)
    {
        var extra = new List<uint>();
        foreach (var (valueName, value) in values)
        {
            extra.Add(String(valueName));
            extra.Add((uint)value);
            extra.Add((uint)((ulong)value >> 32));
        }
        return Add(name, BtfKind.Enum64, values.Length, 8, signed, [.. extra]);
    }

    public byte[] Build()
    {
        var blob = new byte[24 + _types.Count + _strings.Count];
        BinaryPrimitives.WriteUInt16LittleEndian(blob, 0xeb9f);
        blob[2] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(4), 24);
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(8), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(12), (uint)_types.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(16), (uint)_types.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(20), (uint)_strings.Count);
        _types.CopyTo(blob, 24);
        _strings.CopyTo(blob, 24 + _types.Count);
        return blob;
    }

    private uint String(string value)
    {
        if (value.Length == 0) return 0;
        uint offset = (uint)_strings.Count;
        _strings.AddRange(Encoding.UTF8.GetBytes(value));
        _strings.Add(0);
        return offset;
    }

    private void Word(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        _types.AddRange(bytes.ToArray());
    }
}
