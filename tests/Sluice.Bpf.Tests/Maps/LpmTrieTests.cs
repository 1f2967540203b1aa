using System.Net;
using System.Runtime.CompilerServices;
using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Maps;

public class LpmTrieTests
{
    [Fact]
    public void Lpm_key_layout_is_prefix_then_data_with_no_padding()
    {
        Assert.Equal(8, Unsafe.SizeOf<LpmKey<uint>>());
        Assert.Equal(20, Unsafe.SizeOf<LpmKey<IPv6Bytes>>());
        Assert.Equal(12, Unsafe.SizeOf<LpmKey<ulong>>());
        var key = LpmKey.IPv4(IPAddress.Parse("198.18.1.2"), 24);
        var bytes = new byte[8];
        Unsafe.WriteUnaligned(ref bytes[0], key);
        Assert.Equal(new byte[] { 24, 0, 0, 0, 198, 18, 1, 2 }, bytes);
        Assert.Equal(IPAddress.Parse("198.18.1.2"), key.ToIPAddress());
        Assert.Equal(LpmKey.IPv4("198.18.1.2/24"), key);
    }

    [Fact]
    public void Longest_prefix_wins()
    {
        Requires.Root();
        using var trie = BpfLpmTrie<uint, uint>.Create("t_lpm4", 64);
        trie.Update(LpmKey.IPv4("198.18.0.0/15"), 15);
        trie.Update(LpmKey.IPv4("198.18.7.0/24"), 24);
        trie.Update(LpmKey.IPv4("198.18.7.9/32"), 32);

        Assert.Equal(32u, trie.Lookup(LpmKey.IPv4("198.18.7.9")));
        Assert.Equal(24u, trie.Lookup(LpmKey.IPv4("198.18.7.10")));
        Assert.Equal(15u, trie.Lookup(LpmKey.IPv4("198.19.255.255")));
        Assert.False(trie.TryLookup(LpmKey.IPv4("198.20.0.1"), out _));
        // A stored prefix looked up as itself gets its own value, not a more specific one inside it.
        Assert.Equal(15u, trie.Lookup(LpmKey.IPv4("198.18.0.0/15")));
        Assert.True(trie.TryMatch(LpmKey.IPv4("198.18.7.200").Data, out uint viaMatch));
        Assert.Equal(24u, viaMatch);

        Assert.True(trie.Delete(LpmKey.IPv4("198.18.7.0/24")));
        Assert.Equal(15u, trie.Lookup(LpmKey.IPv4("198.18.7.10")));
        Assert.Equal(2, trie.Keys.Count());
    }

    [Fact]
    public void Ipv6_prefixes_match()
    {
        Requires.Root();
        using var trie = BpfLpmTrie<IPv6Bytes, byte>.Create("t_lpm6", 16);
        trie.Update(LpmKey.IPv6("fd00::/8"), 8);
        trie.Update(LpmKey.IPv6("fd00:1::/32"), 32);
        Assert.Equal((byte)32, trie.Lookup(LpmKey.IPv6("fd00:1::5")));
        Assert.Equal((byte)8, trie.Lookup(LpmKey.IPv6("fd99::1")));
        Assert.False(trie.TryLookup(LpmKey.IPv6("fe80::1"), out _));
        var keys = trie.Keys.Select(k => $"{k.ToIPAddress()}/{k.PrefixLength}").ToHashSet();
        Assert.Equal(new HashSet<string> { "fd00::/8", "fd00:1::/32" }, keys);
    }

    [Fact]
    public void Lpm_trie_without_no_prealloc_is_refused_by_the_kernel()
    {
        Requires.Root();
        var error = Assert.Throws<BpfException>(() => BpfMap.Create(new MapSpec { Name = "t_lpm_bad", Type = BpfMapType.LpmTrie, KeySize = 8, ValueSize = 4, MaxEntries = 4 }));
        Assert.Equal("EINVAL", error.ErrnoName);
    }

    [Fact]
    public void Lpm_trie_batch_update_delete_and_lookup()
    {
        Requires.Root();
        using var trie = BpfLpmTrie<uint, uint>.Create("t_lpm_batch", 512);
        var keys = Enumerable.Range(0, 256).Select(i => LpmKey.IPv4(new IPAddress(new byte[] { 198, 18, (byte)i, 0 }), 24)).ToArray();
        var values = Enumerable.Range(0, 256).Select(i => (uint)i).ToArray();
        Assert.Equal(256, trie.UpdateBatch(keys, values));
        Assert.Equal(77u, trie.Lookup(LpmKey.IPv4("198.18.77.1")));

        var all = trie.ReadAll(chunk: 50);
        Assert.Equal(256, all.Count);
        Assert.All(all, e => Assert.Equal((uint)e.Key.ToIPAddress().GetAddressBytes()[2], e.Value));

        Assert.Equal(100, trie.DeleteBatch(keys.AsSpan(0, 100)));
        Assert.Equal(156, trie.Keys.Count());
        Assert.False(trie.TryLookup(LpmKey.IPv4("198.18.5.1"), out _));
    }
}
