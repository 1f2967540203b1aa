using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Bpf;
using Sluice.Bpf.Object;

namespace Sluice.Cli.Commands;

/// <summary>
/// Keys and values of a map that carries BTF (btf_key_type_id / btf_value_type_id), rendered by type the way
/// bpftool's "formatted" output does. Maps without BTF (or whose BTF cannot be read) stay hex only.
/// </summary>
internal sealed class MapFormatting
{
    private readonly BtfSpec _btf;
    private readonly uint _keyType;
    private readonly uint _valueType;

    private MapFormatting(BtfSpec btf, uint keyType, uint valueType)
    {
        _btf = btf;
        _keyType = keyType;
        _valueType = valueType;
    }

    /// <summary>The formatting for <paramref name="map"/>, or null when it has no BTF value type.</summary>
    internal static MapFormatting? For(BpfMap map)
    {
        var info = map.GetInfo();
        if (info.BtfId == 0 || info.BtfValueTypeId == 0) return null;
        try
        {
            return BpfBtfInfo.ReadSpec(info.BtfId) is { } btf ? new MapFormatting(btf, info.BtfKeyTypeId, info.BtfValueTypeId) : null;
        }
        catch (Exception error) when (error is BpfException or BpfObjectException)
        {
            return null;
        }
    }

    /// <summary>The key by its BTF type; maps without a key type (global data, arrays from old compilers) show a 4-byte key as a number.</summary>
    internal JsonNode? Key(ReadOnlySpan<byte> key) =>
        _keyType != 0 ? BtfValueFormatter.Format(_btf, _keyType, key)
        : key.Length == 4 ? JsonValue.Create(BitConverter.ToUInt32(key)) : null;

    internal JsonNode? Value(ReadOnlySpan<byte> value) => BtfValueFormatter.Format(_btf, _valueType, value);

    /// <summary>
    /// "formatted": {"key": ..., "value": ...} or, per CPU, {"key": ..., "values": [{"cpu": n, "value": ...}]}; like
    /// bpftool, no "key" when the map's BTF has no key type.
    /// </summary>
    internal void WriteJson(Utf8JsonWriter writer, BpfMap map, byte[] key, byte[]? value)
    {
        writer.WritePropertyName("formatted");
        writer.WriteStartObject();
        if (_keyType != 0)
        {
            writer.WritePropertyName("key");
            WriteNode(writer, Key(key));
        }
        if (value is null) writer.WriteNull("value");
        else if (!map.IsPerCpu)
        {
            writer.WritePropertyName("value");
            WriteNode(writer, Value(value));
        }
        else
        {
            writer.WriteStartArray("values");
            foreach (var (cpu, one) in PerCpuValues.Split(map, value))
            {
                writer.WriteStartObject();
                writer.WriteNumber("cpu", cpu);
                writer.WritePropertyName("value");
                WriteNode(writer, Value(one.Span));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    /// <summary>One line per entry: "key: K  value: V" with K and V as compact JSON; per-CPU values one line per CPU.</summary>
    internal void WriteText(BpfMap map, byte[] key, byte[]? value)
    {
        Console.Write($"key: {BtfValueFormatter.ToText(Key(key))}  ");
        if (value is null) Console.WriteLine("value: <no entry>");
        else if (!map.IsPerCpu) Console.WriteLine($"value: {BtfValueFormatter.ToText(Value(value))}");
        else
        {
            Console.WriteLine();
            foreach (var (cpu, one) in PerCpuValues.Split(map, value))
                Console.WriteLine($"  cpu{cpu}: {BtfValueFormatter.ToText(Value(one.Span))}");
        }
    }

    private static void WriteNode(Utf8JsonWriter writer, JsonNode? node)
    {
        if (node is null) writer.WriteNullValue();
        else node.WriteTo(writer);
    }
}
