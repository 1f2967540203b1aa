using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Renders raw bytes as the BTF type they hold, the way bpftool's "formatted" map output does: structs and unions as
/// objects keyed by member name (bitfields included), arrays as arrays (char arrays holding text as strings), enums by
/// value name, integers as numbers (wider than 64 bits and bitfields as hex strings), pointers as numbers, datasecs as
/// {"section": [{"variable": value}, ...]}.
/// </summary>
public static class BtfValueFormatter
{
    private const int MaxDepth = 32;

    /// <summary>The value of type <paramref name="typeId"/> in <paramref name="data"/>.</summary>
    /// <exception cref="BpfObjectException">The type is unknown, has no size, or is larger than the data.</exception>
    public static JsonNode? Format(BtfSpec btf, uint typeId, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(btf);
        uint size = btf.SizeOf(typeId);
        if (size > data.Length) throw new BpfObjectException($"BTF type {typeId} ({btf.TypeName(typeId)}) is {size} bytes, the data only {data.Length}");
        return Value(btf, typeId, data, 0, 0, 0);
    }

    private static JsonNode? Value(BtfSpec btf, uint typeId, ReadOnlySpan<byte> data, int bitOffset, uint bitSize, int depth)
    {
        if (depth > MaxDepth) return "...";
        var type = btf.TypeById(typeId) ?? throw new BpfObjectException($"BTF type {typeId} does not exist");
        int byteOffset = bitOffset / 8;
        switch (type.Kind)
        {
            case BtfKind.Typedef or BtfKind.Const or BtfKind.Volatile or BtfKind.Restrict or BtfKind.TypeTag:
                return Value(btf, type.ReferencedTypeId, data, bitOffset, bitSize, depth + 1);
            case BtfKind.Variable:
                return Value(btf, type.ReferencedTypeId, data, bitOffset, bitSize, depth + 1);
            case BtfKind.Int:
                return Integer(type, data, bitOffset + type.IntOffset, bitSize != 0 ? bitSize : type.IntBits);
            case BtfKind.Pointer:
                return JsonValue.Create(BinaryPrimitives.ReadUInt64LittleEndian(data[byteOffset..]));
            case BtfKind.Enum or BtfKind.Enum64:
            {
                ulong bits = ReadBits(data, bitOffset, bitSize != 0 ? bitSize : type.Size * 8);
                // bpftool reads values up to 4 bytes as signed and prints an unnamed one as such; 64-bit ones by signedness.
                long raw = type.Size < 8 ? SignExtend(bits, (int)type.Size * 8) : (long)bits;
                foreach (var value in type.EnumValues)
                    if (value.Value == raw || (type.Size < 8 && SignExtend((ulong)value.Value, (int)type.Size * 8) == raw)) return JsonValue.Create(value.Name);
                return type.Size == 8 && !type.KindFlag ? JsonValue.Create(bits) : JsonValue.Create(raw);
            }
            case BtfKind.Float:
                return type.Size == 4
                    ? JsonValue.Create(BinaryPrimitives.ReadSingleLittleEndian(data[byteOffset..]))
                    : JsonValue.Create(BinaryPrimitives.ReadDoubleLittleEndian(data[byteOffset..]));
            case BtfKind.Array:
                return Array(btf, type.Array!.Value, data, byteOffset, depth);
            case BtfKind.Struct or BtfKind.Union:
            {
                var result = new JsonObject();
                foreach (var member in type.Members)
                {
                    string name = member.Name;
                    // Anonymous members have no name; bpftool keys them "" too, so later ones must not collide.
                    while (result.ContainsKey(name)) name += "_";
                    int memberBits = bitOffset + (int)member.BitOffset;
                    // Like bpftool, a bitfield shows as a hex string whatever its declared type.
                    result[name] = member.BitfieldSize != 0
                        ? JsonValue.Create($"0x{ReadBits(data, memberBits, member.BitfieldSize):x}")
                        : Value(btf, member.TypeId, data, memberBits, 0, depth + 1);
                }
                return result;
            }
            case BtfKind.DataSection:
            {
                var variables = new JsonArray();
                foreach (var entry in type.Variables)
                {
                    var variable = btf.TypeById(entry.TypeId);
                    if (entry.Offset + entry.Size > data.Length) break;
                    variables.Add((JsonNode)new JsonObject { [variable?.Name ?? $"#{entry.TypeId}"] = Value(btf, entry.TypeId, data, (int)entry.Offset * 8, 0, depth + 1) });
                }
                return new JsonObject { [type.Name] = variables };
            }
            default:
                return JsonValue.Create($"<{type.Kind}>");
        }
    }

    private static JsonNode Integer(BtfType type, ReadOnlySpan<byte> data, int bitOffset, uint bits)
    {
        bool signed = (type.IntEncoding & 1) != 0;
        if (bits > 64)
        {
            var bytes = data.Slice(bitOffset / 8, (int)(bits / 8)).ToArray();
            System.Array.Reverse(bytes);
            return JsonValue.Create("0x" + Convert.ToHexStringLower(bytes).TrimStart('0').PadLeft(1, '0'));
        }
        ulong raw = ReadBits(data, bitOffset, bits);
        if ((type.IntEncoding & 4) != 0) return JsonValue.Create(raw != 0);
        if ((type.IntEncoding & 2) != 0 && bits == 8)
        {
            char c = (char)(byte)raw;
            return c >= 0x20 && c < 0x7f ? JsonValue.Create(c.ToString()) : JsonValue.Create(signed ? (sbyte)raw : (byte)raw);
        }
        return signed ? JsonValue.Create(SignExtend(raw, (int)bits)) : JsonValue.Create(raw);
    }

    private static JsonNode Array(BtfSpec btf, BtfArray array, ReadOnlySpan<byte> data, int byteOffset, int depth)
    {
        uint elementSize = array.Count == 0 ? 0 : btf.SizeOf(array.ElementTypeId);
        if (IsCharacter(btf, array.ElementTypeId) && Text(data.Slice(byteOffset, (int)array.Count)) is { } text)
            return JsonValue.Create(text);
        var items = new JsonArray();
        for (uint i = 0; i < array.Count; i++)
            items.Add(Value(btf, array.ElementTypeId, data, (int)((byteOffset + i * elementSize) * 8), 0, depth + 1));
        return items;
    }

    private static bool IsCharacter(BtfSpec btf, uint typeId) =>
        btf.SkipQualifiers(typeId) is { Kind: BtfKind.Int, Size: 1 } element && ((element.IntEncoding & 2) != 0 || element.Name == "char");

    /// <summary>A NUL-terminated printable string filling the array, or null when the bytes are not text.</summary>
    private static string? Text(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.IndexOf((byte)0);
        if (end < 0) return null;
        foreach (byte b in bytes[..end])
            if (b < 0x20 || b >= 0x7f) return null;
        return Encoding.ASCII.GetString(bytes[..end]);
    }

    private static ulong ReadBits(ReadOnlySpan<byte> data, int bitOffset, uint bits)
    {
        ulong value = 0;
        int first = bitOffset / 8;
        int last = (int)((bitOffset + bits + 7) / 8);
        for (int i = last - 1; i >= first; i--) value = (value << 8) | data[i];
        value >>= bitOffset % 8;
        if (bits < 64) value &= (1ul << (int)bits) - 1;
        return value;
    }

    private static long SignExtend(ulong value, int bits) => bits >= 64 ? (long)value : (long)(value << (64 - bits)) >> (64 - bits);

    /// <summary>For messages: the value as compact JSON.</summary>
    public static string ToText(JsonNode? node) => node?.ToJsonString() ?? "null";
}
