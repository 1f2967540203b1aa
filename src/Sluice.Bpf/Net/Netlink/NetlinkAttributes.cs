using System.Buffers.Binary;
using System.Text;
using static Sluice.Bpf.Net.Netlink.NetlinkConstants;

namespace Sluice.Bpf.Net.Netlink;

/// <summary>
/// A parsed attribute list (struct nlattr / rtattr stream). Lookups by type return the first occurrence;
/// nested lists are parsed on demand.
/// </summary>
internal sealed class NetlinkAttributes
{
    private readonly List<(ushort Type, byte[] Value)> _items = [];

    internal IEnumerable<ushort> Types => _items.Select(item => item.Type);

    internal static NetlinkAttributes Parse(ReadOnlySpan<byte> data)
    {
        var result = new NetlinkAttributes();
        while (data.Length >= 4)
        {
            int length = BinaryPrimitives.ReadUInt16LittleEndian(data);
            ushort type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(data[2..]) & NLA_TYPE_MASK);
            if (length < 4 || length > data.Length) break;
            result._items.Add((type, data[4..length].ToArray()));
            data = data[Math.Min(data.Length, Align(length))..];
        }
        return result;
    }

    internal bool Has(ushort type) => Find(type) is not null;

    internal byte[]? Find(ushort type)
    {
        foreach (var (t, value) in _items)
            if (t == type) return value;
        return null;
    }

    internal uint? GetUInt32(ushort type) =>
        Find(type) is { Length: >= 4 } value ? BinaryPrimitives.ReadUInt32LittleEndian(value) : null;

    internal byte? GetUInt8(ushort type) => Find(type) is { Length: >= 1 } value ? value[0] : null;

    /// <summary>A string attribute without its terminating NUL.</summary>
    internal string? GetString(ushort type)
    {
        if (Find(type) is not { } value) return null;
        int end = Array.IndexOf(value, (byte)0);
        return Encoding.UTF8.GetString(value, 0, end < 0 ? value.Length : end);
    }

    internal NetlinkAttributes? GetNested(ushort type) => Find(type) is { } value ? Parse(value) : null;
}
