using Sluice.Bpf.Object;
using System.Text;

namespace Sluice.Bpf;

/// <summary>Writes small BTF blobs: the feature probes' inputs, and test material for the sanitiser.</summary>
internal sealed class BtfBlobBuilder
{
    private readonly List<byte> _types = [];
    private readonly List<byte> _strings = [0];
    private int _count;

    /// <summary>Adds a string to the string table and returns its offset.</summary>
    internal uint String(string value)
    {
        uint offset = (uint)_strings.Count;
        _strings.AddRange(Encoding.UTF8.GetBytes(value));
        _strings.Add(0);
        return offset;
    }

    /// <summary>Appends a type and returns its id (ids start at 1; 0 is void).</summary>
    internal uint Type(BtfKind kind, string? name, int vlen, uint sizeOrType, bool kindFlag = false, params uint[] trailing)
    {
        Add(name is null ? 0 : String(name));
        Add(BtfLayout.Info(kind, vlen, kindFlag));
        Add(sizeOrType);
        foreach (var word in trailing) Add(word);
        return (uint)++_count;
    }

    /// <summary>A signed INT of <paramref name="bytes"/> bytes.</summary>
    internal uint Int(string name, uint bytes = 4) => Type(BtfKind.Int, name, 0, bytes, false, (1u << 24) | (bytes * 8));

    /// <summary>The finished blob.</summary>
    internal byte[] Build()
    {
        var blob = new byte[BtfLayout.HeaderSize + _types.Count + _strings.Count];
        blob[0] = 0x9f;
        blob[1] = 0xeb;
        blob[2] = 1;
        BtfLayout.Write(blob, 4, BtfLayout.HeaderSize);
        BtfLayout.Write(blob, 8, 0);
        BtfLayout.Write(blob, 12, (uint)_types.Count);
        BtfLayout.Write(blob, 16, (uint)_types.Count);
        BtfLayout.Write(blob, 20, (uint)_strings.Count);
        _types.CopyTo(blob, BtfLayout.HeaderSize);
        _strings.CopyTo(blob, BtfLayout.HeaderSize + _types.Count);
        return blob;
    }

    private void Add(uint word)
    {
        Span<byte> bytes = stackalloc byte[4];
        BtfLayout.Write(bytes, 0, word);
        foreach (var b in bytes) _types.Add(b);
    }
}
