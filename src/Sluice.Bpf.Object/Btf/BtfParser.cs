using System.Buffers.Binary;

namespace Sluice.Bpf.Object.Btf;

/// <summary>
/// Parses a .BTF blob (uapi/linux/btf.h layout, little-endian). The first pass only walks the records, checking
/// every record length against the type section and remembering where each one starts; <see cref="BtfType"/>s are
/// made from those records when first asked for (<see cref="BtfTypeTable"/>), so a 5 MB kernel BTF costs one walk,
/// not 100k objects. Object BTF is read eagerly, so a bad name offset is reported when the object is read.
/// Split BTF (kernel modules) continues its base's type ids and string offsets.
/// </summary>
internal static class BtfParser
{
    public const ushort Magic = 0xeb9f;
    private const int HeaderSize = 24;
    private const int CommonRecordSize = 12;

    /// <summary>Parses <paramref name="blob"/> eagerly; the returned spec's <see cref="BtfSpec.RawData"/> is a private copy.</summary>
    public static BtfSpec Parse(ReadOnlySpan<byte> blob, string objectName) => Parse(blob.ToArray(), objectName, null, eager: true);

    /// <summary>
    /// Parses <paramref name="raw"/>, which the spec keeps (no copy). With <paramref name="baseBtf"/> the blob is split
    /// BTF: its first type has id <c>baseBtf.Types.Count</c> and its string offsets continue the base's.
    /// </summary>
    public static BtfSpec Parse(byte[] raw, string objectName, BtfSpec? baseBtf, bool eager)
    {
        BpfObjectException Error(string problem) => new($"{objectName}: BTF: {problem}");
        ReadOnlySpan<byte> blob = raw;

        if (blob.Length < HeaderSize) throw Error($"truncated header ({blob.Length} bytes, need {HeaderSize})");
        ushort magic = BinaryPrimitives.ReadUInt16LittleEndian(blob);
        if (magic != Magic) throw Error($"bad magic 0x{magic:x4}, expected 0x{Magic:x4}");
        if (blob[2] != 1) throw Error($"unsupported version {blob[2]}, expected 1");
        uint headerLength = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        uint typeOffset = BinaryPrimitives.ReadUInt32LittleEndian(blob[8..]);
        uint typeLength = BinaryPrimitives.ReadUInt32LittleEndian(blob[12..]);
        uint stringOffset = BinaryPrimitives.ReadUInt32LittleEndian(blob[16..]);
        uint stringLength = BinaryPrimitives.ReadUInt32LittleEndian(blob[20..]);
        if (headerLength < HeaderSize || headerLength > (uint)blob.Length)
            throw Error($"header length {headerLength} is outside 24..{blob.Length}");
        ulong available = (ulong)blob.Length - headerLength;
        if ((ulong)typeOffset + typeLength > available)
            throw Error($"type section {typeOffset} + {typeLength} is beyond the blob ({available} bytes after the header)");
        if ((ulong)stringOffset + stringLength > available)
            throw Error($"string section {stringOffset} + {stringLength} is beyond the blob ({available} bytes after the header)");
        // Split BTF may have an empty string section of its own; a base one always starts with the empty string.
        if (baseBtf is null && (stringLength == 0 || blob[(int)(headerLength + stringOffset)] != 0))
            throw Error("string section must start with an empty string");

        int typesStart = (int)(headerLength + typeOffset);
        var types = blob.Slice(typesStart, (int)typeLength);
        var offsets = new List<int>(Math.Min((int)typeLength / 16 + 1, 1 << 20));
        int offset = 0;
        uint firstId = baseBtf is null ? 1u : (uint)baseBtf.Types.Count;
        while (offset < types.Length)
        {
            uint id = firstId + (uint)offsets.Count;
            if (types.Length - offset < CommonRecordSize) throw Error($"type {id} at offset {offset} is truncated");
            uint info = BinaryPrimitives.ReadUInt32LittleEndian(types[(offset + 4)..]);
            int vlen = (int)(info & 0xffff);
            var kind = (BtfKind)((info >> 24) & 0x1f);
            int extra = ExtraLength(kind, vlen) ?? throw Error($"type {id} has unknown kind {(int)kind}");
            if (types.Length - offset - CommonRecordSize < extra)
                throw Error($"type {id} ({kind}, vlen {vlen}) at offset {offset} needs {extra} more bytes than the type section has");
            offsets.Add(offset);
            offset += CommonRecordSize + extra;
        }

        var spec = new BtfSpec
        {
            RawData = raw,
            StringsOffset = (int)(headerLength + stringOffset),
            StringsLength = (int)stringLength,
            TypesOffset = typesStart,
            ObjectName = objectName,
            Base = baseBtf,
        };
        var table = new BtfTypeTable(spec, baseBtf, [.. offsets]);
        spec.Types = table;
        if (eager) table.MaterializeAll();
        return spec;
    }

    /// <summary>Makes the type at <paramref name="offset"/> in the type section (the record was length-checked by the first pass).</summary>
    internal static BtfType ReadType(BtfSpec spec, uint id, int offset)
    {
        BpfObjectException Error(string problem) => new($"{spec.ObjectName}: BTF: {problem}");
        var record = spec.RawData.AsSpan(spec.TypesOffset + offset);
        uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(record);
        uint info = BinaryPrimitives.ReadUInt32LittleEndian(record[4..]);
        uint sizeOrType = BinaryPrimitives.ReadUInt32LittleEndian(record[8..]);
        int vlen = (int)(info & 0xffff);
        var kind = (BtfKind)((info >> 24) & 0x1f);
        bool kindFlag = (info >> 31) != 0;
        var body = record.Slice(CommonRecordSize, ExtraLength(kind, vlen)!.Value);
        string Name(uint at, string what) => spec.StringAt(at) ??
            throw Error($"type {id} {what} name offset {at} is beyond the string section ({spec.StringsLength} bytes)");

        return new BtfType
        {
            Id = id,
            Kind = kind,
            Name = Name(nameOffset, "(" + kind + ")"),
            KindFlag = kindFlag,
            RecordOffset = offset,
            Size = HasSize(kind) ? sizeOrType : 0,
            ReferencedTypeId = HasSize(kind) ? 0 : sizeOrType,
            Linkage = kind == BtfKind.Function ? (uint)vlen : kind == BtfKind.Variable ? BinaryPrimitives.ReadUInt32LittleEndian(body) : 0,
            IntEncoding = kind == BtfKind.Int ? (byte)(body[3] & 0x0f) : (byte)0,
            IntOffset = kind == BtfKind.Int ? body[2] : (byte)0,
            IntBits = kind == BtfKind.Int ? body[0] : (byte)0,
            ComponentIndex = kind == BtfKind.DeclarationTag ? BinaryPrimitives.ReadInt32LittleEndian(body) : 0,
            Array = kind == BtfKind.Array
                ? new BtfArray(BinaryPrimitives.ReadUInt32LittleEndian(body), BinaryPrimitives.ReadUInt32LittleEndian(body[4..]),
                    BinaryPrimitives.ReadUInt32LittleEndian(body[8..]))
                : null,
            Members = kind is BtfKind.Struct or BtfKind.Union ? ReadMembers(body, vlen, kindFlag, Name) : [],
            EnumValues = kind is BtfKind.Enum or BtfKind.Enum64 ? ReadEnumValues(body, vlen, kind, kindFlag, Name) : [],
            Parameters = kind == BtfKind.FunctionProto ? ReadParameters(body, vlen, Name) : [],
            Variables = kind == BtfKind.DataSection ? ReadDataSection(body, vlen) : [],
        };
    }

    /// <summary>The name offset and kind of the record at <paramref name="offset"/>, without making a <see cref="BtfType"/>.</summary>
    internal static (uint NameOffset, BtfKind Kind) ReadNameAndKind(BtfSpec spec, int offset)
    {
        var record = spec.RawData.AsSpan(spec.TypesOffset + offset);
        return (BinaryPrimitives.ReadUInt32LittleEndian(record), (BtfKind)((BinaryPrimitives.ReadUInt32LittleEndian(record[4..]) >> 24) & 0x1f));
    }

    private static bool HasSize(BtfKind kind) => kind is BtfKind.Int or BtfKind.Struct or BtfKind.Union or BtfKind.Enum
        or BtfKind.Enum64 or BtfKind.Float or BtfKind.DataSection;

    /// <summary>Bytes that follow the 12-byte common record, or null for an unknown kind.</summary>
    private static int? ExtraLength(BtfKind kind, int vlen) => kind switch
    {
        BtfKind.Int or BtfKind.Variable or BtfKind.DeclarationTag => 4,
        BtfKind.Pointer or BtfKind.Forward or BtfKind.Typedef or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict
            or BtfKind.Function or BtfKind.Float or BtfKind.TypeTag => 0,
        BtfKind.Array => 12,
        BtfKind.Struct or BtfKind.Union or BtfKind.Enum64 or BtfKind.DataSection => vlen * 12,
        BtfKind.Enum or BtfKind.FunctionProto => vlen * 8,
        _ => null,
    };

    private static BtfMember[] ReadMembers(ReadOnlySpan<byte> body, int count, bool kindFlag, Func<uint, string, string> name)
    {
        var members = new BtfMember[count];
        for (int i = 0; i < count; i++)
        {
            var entry = body.Slice(i * 12, 12);
            uint offset = BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
            members[i] = new BtfMember(
                name(BinaryPrimitives.ReadUInt32LittleEndian(entry), $"member {i}"),
                BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]),
                kindFlag ? offset & 0xffffff : offset,
                kindFlag ? offset >> 24 : 0);
        }
        return members;
    }

    // kind_flag marks a signed enum; without it (clang 14 never sets it) the 32-bit values are unsigned.
    private static BtfEnumValue[] ReadEnumValues(ReadOnlySpan<byte> body, int count, BtfKind kind, bool signed, Func<uint, string, string> name)
    {
        var values = new BtfEnumValue[count];
        int size = kind == BtfKind.Enum ? 8 : 12;
        for (int i = 0; i < count; i++)
        {
            var entry = body.Slice(i * size, size);
            long value = kind == BtfKind.Enum
                ? signed ? BinaryPrimitives.ReadInt32LittleEndian(entry[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(entry[4..])
                : (long)((ulong)BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]) << 32 | BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]));
            values[i] = new BtfEnumValue(name(BinaryPrimitives.ReadUInt32LittleEndian(entry), $"enumerator {i}"), value);
        }
        return values;
    }

    private static BtfParameter[] ReadParameters(ReadOnlySpan<byte> body, int count, Func<uint, string, string> name)
    {
        var parameters = new BtfParameter[count];
        for (int i = 0; i < count; i++)
        {
            var entry = body.Slice(i * 8, 8);
            parameters[i] = new BtfParameter(
                name(BinaryPrimitives.ReadUInt32LittleEndian(entry), $"parameter {i}"),
                BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]));
        }
        return parameters;
    }

    private static BtfDataSectionEntry[] ReadDataSection(ReadOnlySpan<byte> body, int count)
    {
        var entries = new BtfDataSectionEntry[count];
        for (int i = 0; i < count; i++)
        {
            var entry = body.Slice(i * 12, 12);
            entries[i] = new BtfDataSectionEntry(
                BinaryPrimitives.ReadUInt32LittleEndian(entry),
                BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]),
                BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]));
        }
        return entries;
    }
}
