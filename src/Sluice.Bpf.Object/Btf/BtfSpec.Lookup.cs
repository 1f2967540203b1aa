using Sluice.Bpf.Object.Btf;
using Sluice.Bpf.Object.Elf;

namespace Sluice.Bpf.Object;

// Reading BTF that is not part of an object (a kernel's, a file's), and finding types by name.
public sealed partial class BtfSpec
{
    private BtfNameIndex? _names;

    /// <summary>
    /// Parses a raw BTF blob (e.g. /sys/kernel/btf/vmlinux). With <paramref name="baseBtf"/> the blob is split BTF
    /// (/sys/kernel/btf/&lt;module&gt;) whose type ids and string offsets continue the base's. Record lengths are
    /// checked now; types are made when first asked for.
    /// </summary>
    /// <param name="blob">The BTF bytes (copied).</param>
    /// <param name="name">Prefixes error messages, e.g. "vmlinux".</param>
    /// <param name="baseBtf">The base for split BTF, or null.</param>
    /// <exception cref="BpfObjectException">The blob is not valid BTF.</exception>
    public static BtfSpec Parse(ReadOnlySpan<byte> blob, string name, BtfSpec? baseBtf = null) =>
        BtfParser.Parse(blob.ToArray(), name, baseBtf, eager: false);

#if NET // The source generator compiles these sources as an analyzer, where file I/O is banned (RS1035).
    /// <summary>
    /// Reads BTF from a file: raw BTF (what /sys/kernel/btf/* and <c>bpftool btf dump ... format raw</c> hold), or an
    /// ELF file with a .BTF section (a vmlinux image, an object). See <see cref="Parse"/> for <paramref name="baseBtf"/>.
    /// </summary>
    /// <exception cref="BpfObjectException">The file holds neither raw BTF nor an ELF file with a .BTF section.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static BtfSpec Load(string path, BtfSpec? baseBtf = null)
    {
        byte[] bytes = File.ReadAllBytes(path);
        string name = Path.GetFileName(path);
        if (bytes.Length >= 4 && bytes[0] == 0x7f && bytes[1] == (byte)'E' && bytes[2] == (byte)'L' && bytes[3] == (byte)'F')
        {
            var elf = new ElfFile(bytes, name);
            var section = elf.FindSection(".BTF") ?? throw elf.Error("the ELF file has no .BTF section");
            bytes = elf.Data(section).ToArray();
        }
        return BtfParser.Parse(bytes, name, baseBtf, eager: false);
    }
#endif

    /// <summary>The first type named <paramref name="name"/> (of <paramref name="kind"/> when given), or null.</summary>
    /// <remarks>For split BTF the base's types are searched first, as libbpf does.</remarks>
    public BtfType? FindType(string name, BtfKind? kind = null)
    {
        foreach (var type in FindTypes(name, kind)) return type;
        return null;
    }

    /// <summary>Every type named <paramref name="name"/> (of <paramref name="kind"/> when given), in id order.</summary>
    public IEnumerable<BtfType> FindTypes(string name, BtfKind? kind = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var type in TypesWithEssentialName(EssentialName(name)))
            if (type.Name == name && (kind is null || type.Kind == kind)) yield return type;
    }

    /// <summary>
    /// The name without its CO-RE flavour: everything before the last <c>___</c> that separates two
    /// non-underscore characters ("task_struct___old" → "task_struct"; "a____b" and "___x" are kept whole).
    /// </summary>
    public static string EssentialName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (int i = name.Length - 5; i >= 0; i--)
            if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' && name[i + 3] == '_' && name[i + 4] != '_')
                return name[..(i + 1)];
        return name;
    }

    /// <summary>Every named type whose essential name is <paramref name="essentialName"/> (base first, then own, by id).</summary>
    internal IEnumerable<BtfType> TypesWithEssentialName(string essentialName)
    {
        if (Base is not null)
            foreach (var type in Base.TypesWithEssentialName(essentialName)) yield return type;
        var names = _names ?? Interlocked.CompareExchange(ref _names, BtfNameIndex.Build(this), null) ?? _names;
        foreach (uint id in names.Find(essentialName))
        {
            var type = Types[(int)id];
            if (EssentialName(type.Name) == essentialName) yield return type;
        }
    }

    /// <summary>This blob's own string section.</summary>
    internal ReadOnlySpan<byte> OwnStrings => RawData.AsSpan(StringsOffset, StringsLength);
}
