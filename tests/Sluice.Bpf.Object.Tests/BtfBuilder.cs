using System.Buffers.Binary;
using System.Text;

namespace Sluice.Bpf.Object.Tests;

/// <summary>Writes small BTF blobs by hand, for kinds clang 14 does not emit (ENUM64, FLOAT) and for broken chains.</summary>
internal sealed class BtfBuilder
{
    private readonly List<byte> _types = [];
    private readonly List<byte> _strings;
    private readonly uint _stringBase;
    private uint _count;

    public BtfBuilder() => _strings = [0];

    /// <summary>Split BTF on <paramref name="baseBtf"/>: ids and string offsets continue the base's.</summary>
    public BtfBuilder(BtfSpec baseBtf)
    {
        _strings = [];
        _count = (uint)baseBtf.Types.Count - 1;
        _stringBase = (uint)baseBtf.OwnStrings.Length;
    }

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

    public uint Pointer(uint to) => Add("", BtfKind.Pointer, 0, to);

    public uint Typedef(string name, uint to) => Add(name, BtfKind.Typedef, 0, to);

    public uint Const(uint to) => Add("", BtfKind.Const, 0, to);

    public uint Array(uint element, uint index, uint count) => Add("", BtfKind.Array, 0, 0, false, element, index, count);

    public uint Struct(string name, uint size, params (string Name, uint Type, uint BitOffset, uint BitSize)[] members) =>
        Composite(name, BtfKind.Struct, size, members);

    public uint Union(string name, uint size, params (string Name, uint Type, uint BitOffset, uint BitSize)[] members) =>
        Composite(name, BtfKind.Union, size, members);

    public uint Enum(string name, uint size, params (string Name, long Value)[] values)
    {
        var extra = new List<uint>();
        foreach (var (valueName, value) in values)
        {
            extra.Add(String(valueName));
            extra.Add((uint)value);
        }
        return Add(name, BtfKind.Enum, values.Length, size, false, [.. extra]);
    }

    public uint Forward(string name, bool union = false) => Add(name, BtfKind.Forward, 0, 0, union);

    public uint Variable(string name, uint type, uint linkage = 1) => Add(name, BtfKind.Variable, 0, type, false, linkage);

    public uint FunctionProto(uint returnType, params (string Name, uint Type)[] parameters)
    {
        var extra = new List<uint>();
        foreach (var (parameterName, type) in parameters)
        {
            extra.Add(String(parameterName));
            extra.Add(type);
        }
        return Add("", BtfKind.FunctionProto, parameters.Length, returnType, false, [.. extra]);
    }

    public uint Function(string name, uint prototype, uint linkage = 1) => Add(name, BtfKind.Function, (int)linkage, prototype);

    private uint Composite(string name, BtfKind kind, uint size, (string Name, uint Type, uint BitOffset, uint BitSize)[] members)
    {
        bool bitfields = members.Any(m => m.BitSize != 0);
        var extra = new List<uint>();
        foreach (var member in members)
        {
            extra.Add(String(member.Name));
            extra.Add(member.Type);
            extra.Add(bitfields ? member.BitSize << 24 | member.BitOffset : member.BitOffset);
        }
        return Add(name, kind, members.Length, size, bitfields, [.. extra]);
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
        uint offset = _stringBase + (uint)_strings.Count;
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
