using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using static Sluice.Bpf.Net.Netlink.NetlinkConstants;

namespace Sluice.Bpf.Net.Netlink;

/// <summary>
/// Builds one netlink request: the 16-byte header, a fixed family header (ifinfomsg, tcmsg, ...), then
/// 4-byte-aligned attributes, nested ones included. Lengths are patched in when a nest ends and at <see cref="ToArray"/>.
/// </summary>
internal sealed class NetlinkMessageWriter
{
    private byte[] _buffer = new byte[256];
    private int _length = HeaderLength;

    internal NetlinkMessageWriter(ushort type, ushort flags)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(6), (ushort)(flags | NLM_F_REQUEST));
    }

    internal ushort Type => BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(4));

    internal ushort Flags
    {
        get => BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(6));
        set => BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(6), value);
    }

    /// <summary>Appends the family's fixed header (must come first, before any attribute).</summary>
    internal void WriteHeader<T>(in T header) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in header));
        bytes.CopyTo(Reserve(bytes.Length));
    }

    internal void AddUInt32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        Add(type, bytes);
    }

    internal void AddInt32(ushort type, int value) => AddUInt32(type, unchecked((uint)value));

    internal void AddUInt8(ushort type, byte value) => Add(type, [value]);

    /// <summary>A NUL-terminated string attribute.</summary>
    internal void AddString(ushort type, string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        Add(type, bytes);
    }

    internal void Add(ushort type, ReadOnlySpan<byte> value)
    {
        int start = _length;
        var space = Reserve(4 + value.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(space, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(space[2..], type);
        value.CopyTo(_buffer.AsSpan(start + 4));
    }

    /// <summary>Opens a nested attribute; pass the returned token to <see cref="EndNested"/>.</summary>
    internal int BeginNested(ushort type)
    {
        int start = _length;
        var space = Reserve(4);
        BinaryPrimitives.WriteUInt16LittleEndian(space[2..], (ushort)(type | NLA_F_NESTED));
        return start;
    }

    internal void EndNested(int token) =>
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(token), (ushort)(_length - token));

    /// <summary>The finished message with its length and sequence number filled in.</summary>
    internal byte[] ToArray(uint sequence)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer, (uint)_length);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(8), sequence);
        return _buffer.AsSpan(0, _length).ToArray();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Reserve(int length)
    {
        int aligned = Align(length);
        if (_length + aligned > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + aligned));
        var span = _buffer.AsSpan(_length, aligned);
        span.Clear();
        _length += aligned;
        return span;
    }
}
