using System.Text;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Rewrites the extern data sections of an object's BTF into a form the kernel accepts, as libbpf does when it opens
/// an object (bpf_object__collect_externs): the kernel refuses extern linkage on VARs ("Linkage not supported") and
/// FUNCs ("Invalid func linkage"), and zero-sized data sections. Without this, every object with a __kconfig or
/// __ksym extern would load without its BTF, so without func/line info.
/// <list type="bullet">
/// <item>.kconfig: each VAR becomes global-allocated and sits at its value's offset in the ".kconfig" map; the
/// section's size is the values' extent.</item>
/// <item>.ksyms: every entry becomes a 4-byte slot at 4 × its index. A VAR becomes a global-allocated int; a kfunc's
/// FUNC gets global linkage (its unnamed parameters the name "dummy_ksym", since the kernel wants named parameters
/// on global functions), and its slot points at an appended int VAR "dummy_ksym", because a data section may only
/// hold VARs.</item>
/// </list>
/// Type ids never change (the two types it may add go at the end), so func_info and map type ids still line up.
/// Only the copy given to the kernel is rewritten; the object's own BTF keeps the declared types, which the ksym
/// and kfunc resolution reads.
/// </summary>
internal static class BtfExternFixups
{
    private const string DummyName = "dummy_ksym";
    private const uint GlobalAllocated = 1;
    private const uint GlobalFunction = 1;

    /// <summary>
    /// The blob with its extern sections rewritten, or <paramref name="blob"/> itself when it has none.
    /// <paramref name="externs"/> gives the kconfig values' offsets (<see cref="ObjectSpec.Externs"/>).
    /// </summary>
    /// <exception cref="FormatException">The blob is not well-formed BTF.</exception>
    internal static byte[] Apply(byte[] blob, IReadOnlyList<ExternSpec> externs)
    {
        var header = BtfLayout.ReadHeader(blob);
        var records = new List<int> { -1 }; // records[id] = absolute offset of type id's btf_type
        int kconfig = 0, ksyms = 0, int32 = 0;
        for (int position = header.TypesStart, end = header.TypesStart + header.TypeLength; position < end;)
        {
            if (position + BtfLayout.TypeSize > end) throw new FormatException("BTF type section ends inside a type");
            uint info = BtfLayout.Read(blob, position + 4);
            var kind = BtfLayout.KindOf(info);
            int id = records.Count;
            records.Add(position);
            if (kind == BtfKind.DataSection)
            {
                string name = NameAt(blob, header, BtfLayout.Read(blob, position));
                if (name == ".kconfig") kconfig = id;
                else if (name == ".ksyms") ksyms = id;
            }
            else if (kind == BtfKind.Int && int32 == 0 && (BtfLayout.Read(blob, position + 12) & 0xff) == 32) int32 = id;
            position += BtfLayout.TypeSize + BtfLayout.TrailingSize(kind, BtfLayout.VlenOf(info));
        }
        if (kconfig == 0 && ksyms == 0) return blob;

        var output = blob.ToArray();
        if (kconfig != 0) FixKconfig(output, records, records[kconfig], externs);
        if (ksyms == 0) return output;

        // Types to append: a 32-bit int when the object has none (libbpf would use void and fail), and the dummy VAR.
        var appended = new List<uint>();
        var strings = new List<byte>();
        uint nextId = (uint)records.Count;
        uint dummyName = (uint)header.StringLength;
        strings.AddRange(Encoding.UTF8.GetBytes(DummyName));
        strings.Add(0);
        if (int32 == 0)
        {
            int32 = (int)nextId++;
            appended.AddRange([0, BtfLayout.Info(BtfKind.Int, 0), 4, (1u << 24) | 32]);
        }
        uint dummy = nextId;
        bool needsDummy = FixKsyms(output, records, records[ksyms], (uint)int32, dummy, dummyName);
        if (!needsDummy && appended.Count == 0) return output;
        if (needsDummy) appended.AddRange([dummyName, BtfLayout.Info(BtfKind.Variable, 0), (uint)int32, GlobalAllocated]);
        return Append(output, header, appended, needsDummy ? strings : []);
    }

    private static void FixKconfig(byte[] blob, List<int> records, int datasec, IReadOnlyList<ExternSpec> externs)
    {
        var header = BtfLayout.ReadHeader(blob);
        var offsets = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (var extern_ in externs)
            if (extern_.Kind == ExternKind.Kconfig) offsets[extern_.Name] = extern_.Offset;
        int vlen = BtfLayout.VlenOf(BtfLayout.Read(blob, datasec + 4));
        var entries = new List<(uint Type, uint Offset, uint Size)>(vlen);
        uint extent = 0;
        for (int i = 0; i < vlen; i++)
        {
            int entry = datasec + BtfLayout.TypeSize + 12 * i;
            uint type = BtfLayout.Read(blob, entry);
            uint offset = BtfLayout.Read(blob, entry + 4), size = BtfLayout.Read(blob, entry + 8);
            if (type < (uint)records.Count && BtfLayout.KindOf(BtfLayout.Read(blob, records[(int)type] + 4)) == BtfKind.Variable)
            {
                int variable = records[(int)type];
                BtfLayout.Write(blob, variable + 12, GlobalAllocated);
                if (offsets.TryGetValue(NameAt(blob, header, BtfLayout.Read(blob, variable)), out uint placed)) offset = placed;
            }
            entries.Add((type, offset, size));
            extent = Math.Max(extent, offset + size);
        }
        // The kernel wants entries in ascending, non-overlapping order; the values were laid out by alignment.
        entries.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        for (int i = 0; i < entries.Count; i++)
        {
            int entry = datasec + BtfLayout.TypeSize + 12 * i;
            BtfLayout.Write(blob, entry, entries[i].Type);
            BtfLayout.Write(blob, entry + 4, entries[i].Offset);
            BtfLayout.Write(blob, entry + 8, entries[i].Size);
        }
        BtfLayout.Write(blob, datasec + 8, extent);
    }

    /// <returns>Whether a kfunc slot now points at the dummy VAR (which the caller must then append).</returns>
    private static bool FixKsyms(byte[] blob, List<int> records, int datasec, uint int32, uint dummy, uint dummyName)
    {
        int vlen = BtfLayout.VlenOf(BtfLayout.Read(blob, datasec + 4));
        bool usesDummy = false;
        for (int i = 0; i < vlen; i++)
        {
            int entry = datasec + BtfLayout.TypeSize + 12 * i;
            uint type = BtfLayout.Read(blob, entry);
            if (type < (uint)records.Count)
            {
                int declared = records[(int)type];
                uint info = BtfLayout.Read(blob, declared + 4);
                if (BtfLayout.KindOf(info) == BtfKind.Function)
                {
                    BtfLayout.Write(blob, declared + 4, BtfLayout.Info(BtfKind.Function, (int)GlobalFunction, BtfLayout.KindFlagOf(info)));
                    NameParameters(blob, records, BtfLayout.Read(blob, declared + 8), dummyName);
                    BtfLayout.Write(blob, entry, dummy);
                    usesDummy = true;
                }
                else if (BtfLayout.KindOf(info) == BtfKind.Variable)
                {
                    BtfLayout.Write(blob, declared + 8, int32);
                    BtfLayout.Write(blob, declared + 12, GlobalAllocated);
                }
            }
            BtfLayout.Write(blob, entry + 4, (uint)(4 * i));
            BtfLayout.Write(blob, entry + 8, 4);
        }
        BtfLayout.Write(blob, datasec + 8, (uint)(4 * vlen));
        return usesDummy;
    }

    private static void NameParameters(byte[] blob, List<int> records, uint proto, uint name)
    {
        if (proto == 0 || proto >= (uint)records.Count) return;
        int at = records[(int)proto];
        uint info = BtfLayout.Read(blob, at + 4);
        if (BtfLayout.KindOf(info) != BtfKind.FunctionProto) return;
        for (int i = 0; i < BtfLayout.VlenOf(info); i++)
        {
            int parameter = at + BtfLayout.TypeSize + 8 * i;
            if (BtfLayout.Read(blob, parameter) == 0 && BtfLayout.Read(blob, parameter + 4) != 0) BtfLayout.Write(blob, parameter, name);
        }
    }

    private static byte[] Append(byte[] blob, BtfLayout.Header header, List<uint> types, List<byte> strings)
    {
        int typeBytes = types.Count * 4;
        var result = new byte[header.HeaderLength + header.TypeLength + typeBytes + header.StringLength + strings.Count];
        blob.AsSpan(0, header.HeaderLength).CopyTo(result);
        blob.AsSpan(header.TypesStart, header.TypeLength).CopyTo(result.AsSpan(header.HeaderLength));
        int at = header.HeaderLength + header.TypeLength;
        foreach (uint word in types)
        {
            BtfLayout.Write(result, at, word);
            at += 4;
        }
        blob.AsSpan(header.StringsStart, header.StringLength).CopyTo(result.AsSpan(at));
        strings.CopyTo(result, at + header.StringLength);
        BtfLayout.Write(result, 8, 0);
        BtfLayout.Write(result, 12, (uint)(header.TypeLength + typeBytes));
        BtfLayout.Write(result, 16, (uint)(header.TypeLength + typeBytes));
        BtfLayout.Write(result, 20, (uint)(header.StringLength + strings.Count));
        return result;
    }

    private static string NameAt(byte[] blob, BtfLayout.Header header, uint offset)
    {
        if (offset >= (uint)header.StringLength) return "";
        var rest = blob.AsSpan(header.StringsStart + (int)offset, header.StringLength - (int)offset);
        int end = rest.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? rest : rest[..end]);
    }
}
