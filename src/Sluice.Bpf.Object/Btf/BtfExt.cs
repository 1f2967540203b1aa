using System.Buffers.Binary;

namespace Sluice.Bpf.Object.Btf;

/// <summary>
/// The .BTF.ext records of one object, per ELF section name. Instruction offsets are in bytes from the start
/// of the section, as the object stores them; the linker converts them to instruction indexes of each
/// program's linked stream.
/// </summary>
internal sealed class BtfExt
{
    private const int HeaderSize = 24;
    private const int FuncInfoMinimum = 8;
    private const int LineInfoMinimum = 16;
    private const int CoreRelocationMinimum = 16;

    public Dictionary<string, List<RawFuncInfo>> FuncInfos { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<RawLineInfo>> LineInfos { get; } = new(StringComparer.Ordinal);

    /// <summary>CO-RE relocation records per section, as stored (byte offsets).</summary>
    public Dictionary<string, List<RawCoreRelocation>> CoreRelocations { get; } = new(StringComparer.Ordinal);

    public static BtfExt Parse(ReadOnlySpan<byte> blob, BtfSpec btf, string objectName)
    {
        BpfObjectException Error(string problem) => new($"{objectName}: BTF.ext: {problem}");

        if (blob.Length < HeaderSize) throw Error($"truncated header ({blob.Length} bytes, need {HeaderSize})");
        ushort magic = BinaryPrimitives.ReadUInt16LittleEndian(blob);
        if (magic != BtfParser.Magic) throw Error($"bad magic 0x{magic:x4}, expected 0x{BtfParser.Magic:x4}");
        if (blob[2] != 1) throw Error($"unsupported version {blob[2]}, expected 1");
        uint headerLength = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        if (headerLength < HeaderSize || headerLength > (uint)blob.Length)
            throw Error($"header length {headerLength} is outside {HeaderSize}..{blob.Length}");

        var ext = new BtfExt();
        var body = blob[(int)headerLength..];
        var funcs = Subsection(blob, body, 8, "func_info", Error);
        var lines = Subsection(blob, body, 16, "line_info", Error);
        var core = headerLength >= 32 ? Subsection(blob, body, 24, "core_relo", Error) : [];

        ReadInfo(funcs, FuncInfoMinimum, "func_info", btf, Error, (section, record) =>
            Add(ext.FuncInfos, section, new RawFuncInfo(
                BinaryPrimitives.ReadUInt32LittleEndian(record), BinaryPrimitives.ReadUInt32LittleEndian(record[4..]))));
        ReadInfo(lines, LineInfoMinimum, "line_info", btf, Error, (section, record) =>
            Add(ext.LineInfos, section, new RawLineInfo(
                BinaryPrimitives.ReadUInt32LittleEndian(record), BinaryPrimitives.ReadUInt32LittleEndian(record[4..]),
                BinaryPrimitives.ReadUInt32LittleEndian(record[8..]), BinaryPrimitives.ReadUInt32LittleEndian(record[12..]))));
        ReadInfo(core, CoreRelocationMinimum, "core_relo", btf, Error, (section, record) =>
        {
            uint accessOffset = BinaryPrimitives.ReadUInt32LittleEndian(record[8..]);
            string access = btf.StringAt(accessOffset) ??
                throw Error($"core_relo in section '{section}': access string offset {accessOffset} is beyond the BTF string section");
            Add(ext.CoreRelocations, section, new RawCoreRelocation(
                BinaryPrimitives.ReadUInt32LittleEndian(record), BinaryPrimitives.ReadUInt32LittleEndian(record[4..]), access,
                (CoreRelocationKind)BinaryPrimitives.ReadUInt32LittleEndian(record[12..])));
        });
        return ext;
    }

    private static void Add<T>(Dictionary<string, List<T>> map, string section, T record)
    {
        if (!map.TryGetValue(section, out var list)) map[section] = list = [];
        list.Add(record);
    }

    /// <summary>The bytes of one info kind, located by the (offset, length) pair at <paramref name="at"/> in the header.</summary>
    private static ReadOnlySpan<byte> Subsection(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, int at, string what,
        Func<string, BpfObjectException> error)
    {
        uint offset = BinaryPrimitives.ReadUInt32LittleEndian(header[at..]);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(header[(at + 4)..]);
        if ((ulong)offset + length > (ulong)body.Length)
            throw error($"{what} {offset} + {length} is beyond the blob ({body.Length} bytes after the header)");
        return body.Slice((int)offset, (int)length);
    }

    private delegate void RecordHandler(string section, ReadOnlySpan<byte> record);

    private static void ReadInfo(ReadOnlySpan<byte> data, int minimumRecord, string what, BtfSpec btf,
        Func<string, BpfObjectException> error, RecordHandler handle)
    {
        if (data.Length == 0) return;
        if (data.Length < 4) throw error($"{what} is truncated ({data.Length} bytes)");
        uint recordSize = BinaryPrimitives.ReadUInt32LittleEndian(data);
        // The record may grow in later versions; anything smaller than today's, or absurdly large, is corrupt.
        if (recordSize < minimumRecord || recordSize > 1024 || recordSize % 4 != 0)
            throw error($"{what} record size {recordSize} is invalid (minimum {minimumRecord})");
        int offset = 4;
        while (offset < data.Length)
        {
            if (data.Length - offset < 8) throw error($"{what} section header at offset {offset} is truncated");
            uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(data[(offset + 4)..]);
            offset += 8;
            string section = btf.StringAt(nameOffset) ??
                throw error($"{what} section name offset {nameOffset} is beyond the BTF string section");
            if (count == 0) throw error($"{what} for section '{section}' has no records");
            if ((ulong)count * recordSize > (ulong)(data.Length - offset))
                throw error($"{what} for section '{section}' has {count} records of {recordSize} bytes, beyond the end ({data.Length - offset} bytes left)");
            for (uint i = 0; i < count; i++)
            {
                handle(section, data.Slice(offset, (int)recordSize));
                offset += (int)recordSize;
            }
        }
    }
}

/// <summary>A func_info record as stored: byte offset into the section, BTF FUNC id.</summary>
internal readonly record struct RawFuncInfo(uint ByteOffset, uint TypeId);

/// <summary>A line_info record as stored: byte offset into the section, string offsets and packed line/column.</summary>
internal readonly record struct RawLineInfo(uint ByteOffset, uint FileNameOffset, uint LineOffset, uint LineColumn);

/// <summary>A core_relo record as stored: byte offset into the section, local root type id, access string, kind.</summary>
internal readonly record struct RawCoreRelocation(uint ByteOffset, uint TypeId, string AccessString, CoreRelocationKind Kind);
