using Sluice.Bpf.Object;
namespace Sluice.Bpf;

/// <summary>
/// Rewrites BTF kinds an older kernel would reject into kinds it accepts, keeping every type id and record size
/// so the rest of the object (map key/value ids, func_info) still lines up:
/// FUNC_PROTO → ENUM and FUNC → TYPEDEF (no FUNC), global FUNC → static (no linkage), VAR → INT and
/// DATASEC → STRUCT (no DATASEC), FLOAT → empty STRUCT, DECL_TAG → INT, TYPE_TAG → CONST,
/// ENUM64 → UNION of placeholder members and signed ENUM → unsigned (no ENUM64).
/// The rewritten types describe nothing meaningful; they only keep the blob loadable.
/// </summary>
internal static class BtfSanitizer
{
    /// <summary>
    /// A copy of <paramref name="blob"/> that <paramref name="features"/> can load; the same bytes (copied) when
    /// nothing needs rewriting. <paramref name="rewritten"/> counts the types changed.
    /// </summary>
    /// <exception cref="FormatException">The blob is not well-formed BTF.</exception>
    internal static byte[] Sanitize(ReadOnlySpan<byte> blob, BtfFeatures features, out int rewritten)
    {
        var header = BtfLayout.ReadHeader(blob);
        var output = blob.ToArray();
        rewritten = 0;
        int typeCount = 0;
        List<int>? enum64Members = null;

        int position = header.TypesStart;
        int end = header.TypesStart + header.TypeLength;
        while (position < end)
        {
            if (position + BtfLayout.TypeSize > end) throw new FormatException("BTF type section ends inside a type");
            typeCount++;
            uint info = BtfLayout.Read(output, position + 4);
            var kind = BtfLayout.KindOf(info);
            int vlen = BtfLayout.VlenOf(info);
            int size = BtfLayout.TypeSize + BtfLayout.TrailingSize(kind, vlen);
            if (position + size > end) throw new FormatException($"BTF type {typeCount} runs past the type section");
            if (Rewrite(output, header, position, kind, vlen, info, features, ref enum64Members)) rewritten++;
            position += size;
        }

        if (enum64Members is null) return output;
        // The ENUM64 → UNION members need a member type: append one 1-byte INT (id typeCount + 1), which fits
        // inside any union, and point every placeholder member at it.
        uint placeholder = (uint)typeCount + 1;
        foreach (int memberTypeOffset in enum64Members) BtfLayout.Write(output, memberTypeOffset, placeholder);
        return AppendPlaceholderInt(output, header);
    }

    private static bool Rewrite(
        byte[] blob, BtfLayout.Header header, int at, BtfKind kind, int vlen, uint info, BtfFeatures features,
        ref List<int>? enum64Members)
    {
        int data = at + BtfLayout.TypeSize;
        switch (kind)
        {
            case BtfKind.FunctionProto when !features.Func:
                // Each 8-byte parameter {name, type} becomes an 8-byte enumerator {name, value}.
                BtfLayout.Write(blob, at + 4, BtfLayout.Info(BtfKind.Enum, vlen));
                BtfLayout.Write(blob, at + 8, 4);
                return true;
            case BtfKind.Function when !features.Func:
                BtfLayout.Write(blob, at + 4, BtfLayout.Info(BtfKind.Typedef, 0));
                return true;
            case BtfKind.Function when !features.GlobalFunc && vlen != 0:
                BtfLayout.Write(blob, at + 4, BtfLayout.Info(BtfKind.Function, 0));
                return true;
            case BtfKind.Variable when !features.DataSec:
                WriteOneByteInt(blob, at, keepName: true);
                return true;
            case BtfKind.DataSection when !features.DataSec:
                // Each 12-byte {var type, offset, size} becomes a 12-byte member {name, type, bit offset}; struct
                // names cannot hold '.', so ".data" becomes "_data" in the string table.
                ReplaceDots(blob, header, BtfLayout.Read(blob, at));
                BtfLayout.Write(blob, at + 4, BtfLayout.Info(BtfKind.Struct, vlen));
                for (int i = 0; i < vlen; i++)
                {
                    int member = data + 12 * i;
                    uint variableType = BtfLayout.Read(blob, member);
                    uint offset = BtfLayout.Read(blob, member + 4);
                    BtfLayout.Write(blob, member, VariableName(blob, header, variableType));
                    BtfLayout.Write(blob, member + 4, variableType);
                    BtfLayout.Write(blob, member + 8, offset * 8);
                }
                return true;
            case BtfKind.Float when !features.Float:
                BtfLayout.Write(blob, at, 0);
                BtfLayout.Write(blob, at + 4, BtfLayout.Info(BtfKind.Struct, 0));
                return true;
            case BtfKind.DeclarationTag when !features.DeclTag:
                WriteOneByteInt(blob, at, keepName: false);
                return true;
            case BtfKind.TypeTag when !features.TypeTag:
                BtfLayout.Write(blob, at, 0);
                BtfLayout.Write(blob, at + 4, BtfLayout.Info(BtfKind.Const, 0));
                return true;
            case BtfKind.Enum64 when !features.Enum64:
                // Each 12-byte {name, lo32, hi32} becomes a 12-byte member {name, placeholder type, offset 0}.
                BtfLayout.Write(blob, at + 4, BtfLayout.Info(BtfKind.Union, vlen));
                enum64Members ??= [];
                for (int i = 0; i < vlen; i++)
                {
                    int member = data + 12 * i;
                    enum64Members.Add(member + 4);
                    BtfLayout.Write(blob, member + 8, 0);
                }
                return true;
            case BtfKind.Enum when !features.Enum64 && BtfLayout.KindFlagOf(info):
                BtfLayout.Write(blob, at + 4, BtfLayout.Info(BtfKind.Enum, vlen));
                return true;
            default:
                return false;
        }
    }

    private static void WriteOneByteInt(byte[] blob, int at, bool keepName)
    {
        if (!keepName) BtfLayout.Write(blob, at, 0);
        BtfLayout.Write(blob, at + 4, BtfLayout.Info(BtfKind.Int, 0));
        BtfLayout.Write(blob, at + 8, 1);
        BtfLayout.Write(blob, at + 12, 8);
    }

    /// <summary>The name offset of type <paramref name="id"/> (a VAR, possibly already rewritten), found by walking.</summary>
    private static uint VariableName(byte[] blob, BtfLayout.Header header, uint id)
    {
        int position = header.TypesStart;
        for (uint current = 1; current < id; current++)
        {
            uint info = BtfLayout.Read(blob, position + 4);
            position += BtfLayout.TypeSize + BtfLayout.TrailingSize(BtfLayout.KindOf(info), BtfLayout.VlenOf(info));
        }
        return BtfLayout.Read(blob, position);
    }

    private static void ReplaceDots(byte[] blob, BtfLayout.Header header, uint nameOffset)
    {
        for (int i = header.StringsStart + (int)nameOffset; i < header.StringsStart + header.StringLength && blob[i] != 0; i++)
            if (blob[i] == (byte)'.') blob[i] = (byte)'_';
    }

    private static byte[] AppendPlaceholderInt(byte[] blob, BtfLayout.Header header)
    {
        const int added = BtfLayout.TypeSize + 4;
        var result = new byte[header.HeaderLength + header.TypeLength + added + header.StringLength];
        blob.AsSpan(0, header.HeaderLength).CopyTo(result);
        blob.AsSpan(header.TypesStart, header.TypeLength).CopyTo(result.AsSpan(header.HeaderLength));
        int placeholder = header.HeaderLength + header.TypeLength;
        WriteOneByteInt(result, placeholder, keepName: false);
        blob.AsSpan(header.StringsStart, header.StringLength).CopyTo(result.AsSpan(placeholder + added));
        BtfLayout.Write(result, 8, 0);
        BtfLayout.Write(result, 12, (uint)(header.TypeLength + added));
        BtfLayout.Write(result, 16, (uint)(header.TypeLength + added));
        BtfLayout.Write(result, 20, (uint)header.StringLength);
        return result;
    }
}
