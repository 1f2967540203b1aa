using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Sluice.Bpf;

namespace Sluice.Programs.TcApps;

/// <summary>
/// One address dimension (source or destination) of bpf/include/tc_classifier.h, computed from a rule set: the stored
/// prefixes (::/0 and every rule's prefix, IPv4 as ::ffff:a.b.c.d), each a class; per class the rules an address whose
/// longest stored prefix it is satisfies; the IPv4 16-8-8 table and the IPv6 trie that map an address to its class.
/// The IPv4 table covers ::ffff:0:0/96 exactly as a 128-bit longest-prefix match over the stored prefixes would (an IPv6
/// prefix containing that whole range is its starting class), so the split by family changes no rule's meaning.
/// </summary>
internal sealed class ClassifierAddressTable
{
    private const int V4Offset = 96;
    private static readonly IPAddress MappedV4 = IPAddress.Parse("::ffff:0:0");

    private ClassifierAddressTable(byte[] root, SortedDictionary<int, ClassifierChunk> chunks,
        Dictionary<LpmKey<IPv6Bytes>, uint> trie, SortedDictionary<int, ClassifierSet> sets)
    {
        Root = root;
        Chunks = chunks;
        Trie = trie;
        Sets = sets;
    }

    /// <summary>
    /// struct cls_root4, an entry per top 16 bits of an IPv4 address, as bytes: at 128 KiB it is too large for the stack
    /// and for an array element (the runtime's limit is 64 KiB), so the generated struct is a view over a byte array.
    /// </summary>
    internal byte[] Root { get; }

    /// <summary>The entries of <see cref="Root"/>.</summary>
    internal ReadOnlySpan<ushort> RootEntries => Root4(Root).Entries;

    /// <summary>The chunks in use by index (level 2: 0..1023, level 3: 1024..2047).</summary>
    internal SortedDictionary<int, ClassifierChunk> Chunks { get; }

    /// <summary>The IPv6 trie: ::/0 and every prefix outside ::ffff:0:0/96, to its class.</summary>
    internal Dictionary<LpmKey<IPv6Bytes>, uint> Trie { get; }

    /// <summary>Per class, the rules it satisfies.</summary>
    internal SortedDictionary<int, ClassifierSet> Sets { get; }

    /// <summary>The IPv4 table sends some address to a class other than 0.</summary>
    internal bool UsesV4 => RootEntries.ContainsAnyExcept((ushort)0);

    /// <summary>The IPv6 trie holds more than ::/0.</summary>
    internal bool UsesV6 => Trie.Count > 1;

    /// <summary>The dimension <paramref name="select"/> picks (a rule's source or destination) of <paramref name="rules"/> (slot -> rule).</summary>
    internal static ClassifierAddressTable Build(IReadOnlyDictionary<int, ClassifierRule> rules, Func<ClassifierRule, IPNetwork?> select)
    {
        // Class of a stored prefix: 0 for ::/0, else 1 + the lowest slot with that prefix. It depends on the rules alone
        // and stays put when other rules come and go, so a change rewrites few entries.
        var classes = new Dictionary<(IPAddress Address, int Length), int> { [(IPAddress.IPv6Any, 0)] = 0 };
        foreach (var (slot, rule) in rules.OrderBy(r => r.Key))
            if (select(rule) is { } network) classes.TryAdd(ClassifierRule.Mapped(network), slot + 1);

        var sets = new SortedDictionary<int, ClassifierSet>();
        foreach (var ((address, length), cls) in classes)
        {
            var set = new ClassifierSet();
            foreach (var (slot, rule) in rules)
            {
                if (select(rule) is not { } network) set.Add(slot);
                else
                {
                    var (ruleAddress, ruleLength) = ClassifierRule.Mapped(network);
                    if (ruleLength <= length && Covers(ruleAddress, ruleLength, address)) set.Add(slot);
                }
            }
            sets[cls] = set;
        }

        var trie = new Dictionary<LpmKey<IPv6Bytes>, uint>();
        foreach (var ((address, length), cls) in classes)
            if (length < V4Offset || !Covers(MappedV4, V4Offset, address)) trie[LpmKey.IPv6(address, length)] = (uint)cls;

        var (root, chunks) = BuildV4(classes);
        return new ClassifierAddressTable(root, chunks, trie, sets);
    }

    private static (byte[] Root, SortedDictionary<int, ClassifierChunk> Chunks) BuildV4(Dictionary<(IPAddress Address, int Length), int> classes)
    {
        // Where no IPv4 prefix reaches: the longest stored prefix of at most 96 bits that holds all of ::ffff:0:0/96.
        int start = classes.Where(c => c.Key.Length <= V4Offset && Covers(c.Key.Address, c.Key.Length, MappedV4))
            .MaxBy(c => c.Key.Length).Value;
        var v4 = classes.Where(c => c.Key.Length > V4Offset && Covers(MappedV4, V4Offset, c.Key.Address))
            .Select(c => (Address: BinaryPrimitives.ReadUInt32BigEndian(c.Key.Address.GetAddressBytes().AsSpan(12)), Length: c.Key.Length - V4Offset, Class: c.Value))
            .OrderBy(p => p.Length).ToList();

        var rootBytes = new byte[Unsafe.SizeOf<ClassifierRoot4>()];
        Span<ushort> root = Root4(rootBytes).Entries;
        root.Fill((ushort)start);
        foreach (var p in v4.Where(p => p.Length <= 16))
            root.Slice((int)(p.Address >> 16), 1 << (16 - p.Length)).Fill((ushort)p.Class);

        // A chunk's index is the lowest rule slot among the prefixes it holds (class - 1): unique per chunk, stable.
        var chunks = new SortedDictionary<int, ClassifierChunk>();
        var level2 = new Dictionary<uint, int>();
        foreach (var group in v4.Where(p => p.Length > 16).GroupBy(p => p.Address >> 16))
        {
            int index = group.Min(p => p.Class) - 1;
            level2[group.Key] = index;
            var chunk = new ClassifierChunk();
            ((Span<ushort>)chunk.Entries).Fill(root[(int)group.Key]);
            foreach (var p in group.Where(p => p.Length <= 24))
                ((Span<ushort>)chunk.Entries).Slice((int)((p.Address >> 8) & 0xff), 1 << (24 - p.Length)).Fill((ushort)p.Class);
            chunks[index] = chunk;
        }
        foreach (var group in v4.Where(p => p.Length > 24).GroupBy(p => p.Address >> 8))
        {
            int index = ClassifierNames.MaxRules + group.Min(p => p.Class) - 1;
            int parent = level2[group.Key >> 8];
            var chunk = new ClassifierChunk();
            var parentChunk = chunks[parent];
            ((Span<ushort>)chunk.Entries).Fill(parentChunk.Entries[(int)(group.Key & 0xff)]);
            foreach (var p in group)
                ((Span<ushort>)chunk.Entries).Slice((int)(p.Address & 0xff), 1 << (32 - p.Length)).Fill((ushort)p.Class);
            chunks[index] = chunk;
            parentChunk.Entries[(int)(group.Key & 0xff)] = (ushort)(ClassifierNames.ChunkFlag | index);
            chunks[parent] = parentChunk;
        }
        foreach (var (block, index) in level2) root[(int)block] = (ushort)(ClassifierNames.ChunkFlag | index);
        return (rootBytes, chunks);
    }

    private static ref ClassifierRoot4 Root4(byte[] bytes) => ref MemoryMarshal.AsRef<ClassifierRoot4>(bytes.AsSpan());

    /// <summary>
    /// True when the first <paramref name="length"/> bits of <paramref name="prefix"/> and <paramref name="address"/> (both
    /// IPv6, IPv4 as ::ffff:a.b.c.d) agree. Not IPNetwork.Contains: it answers false for IPv4-mapped addresses in
    /// some prefixes (::ffff:198.18.0.0 in ::/80 or ::ffff:0:0/96), which are exactly the ones this table needs.
    /// </summary>
    private static bool Covers(IPAddress prefix, int length, IPAddress address)
    {
        Span<byte> a = stackalloc byte[16], b = stackalloc byte[16];
        prefix.TryWriteBytes(a, out _);
        address.TryWriteBytes(b, out _);
        int whole = length / 8, rest = length % 8;
        if (!a[..whole].SequenceEqual(b[..whole])) return false;
        return rest == 0 || ((a[whole] ^ b[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
    }
}
