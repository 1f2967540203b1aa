using System.Net;
using Sluice.Lab.Packets;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

public sealed class ProgAndMapCommandTests : IDisposable
{
    private readonly TestPinDirectory _pins = new();
    private string _program = "";
    private string _sources = "";

    private void LoadCounter()
    {
        Requires.Root();
        var load = SluiceProcess.Run("object", "load", Fixture.Path("xdp_counter"), "--pin", _pins.Path,
            "--pin-maps", System.IO.Path.Combine(_pins.Path, "maps"));
        Assert.True(load.ExitCode == 0, load.Stderr);
        _program = System.IO.Path.Combine(_pins.Path, "xdp_counter");
        _sources = System.IO.Path.Combine(_pins.Path, "maps", "source_counts");
    }

    private string PacketFile(byte[] frame)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sluice-packet-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, frame);
        return path;
    }

    [Fact]
    public void Prog_run_reports_the_verdict_and_the_map_side_effect_is_visible_through_map_lookup()
    {
        LoadCounter();
        var source = IPAddress.Parse("198.18.0.7");
        var destination = IPAddress.Parse("198.19.0.1");
        var discard = PacketFile(PacketBuilder.Udp4(source, destination, 1000, 9));
        var dns = PacketFile(PacketBuilder.Udp4(source, destination, 1000, 53));
        try
        {
            var dropped = SluiceProcess.Run("prog", "run", _program, "--data", discard, "--repeat", "3", "--json");
            Assert.True(dropped.ExitCode == 0, dropped.Stderr);
            Assert.Equal("XDP_DROP", dropped.Json().GetProperty("verdict").GetString());

            var passed = SluiceProcess.Run("prog", "run", _program, "--data", dns, "--json");
            Assert.Equal("XDP_PASS", passed.Json().GetProperty("verdict").GetString());

            var lookup = SluiceProcess.Run("map", "lookup", _sources, "--key", "ipv4:198.18.0.7", "--json");
            Assert.True(lookup.ExitCode == 0, lookup.Stderr);
            var value = lookup.Json().GetProperty("value").EnumerateArray().Select(b => Convert.ToByte(b.GetString(), 16)).ToArray();
            Assert.Equal(4UL, BitConverter.ToUInt64(value)); // 3 runs + 1 run from the same source
        }
        finally
        {
            File.Delete(discard);
            File.Delete(dns);
        }
    }

    [Fact]
    public void Prog_show_and_list_find_the_pinned_program()
    {
        LoadCounter();
        var show = SluiceProcess.Run("prog", "show", _program, "--json");
        Assert.True(show.ExitCode == 0, show.Stderr);
        var info = Assert.Single(show.Json().EnumerateArray());
        Assert.Equal("xdp", info.GetProperty("type").GetString());
        Assert.Equal(2, info.GetProperty("map_ids").GetArrayLength());
        uint id = info.GetProperty("id").GetUInt32();

        var list = SluiceProcess.Run("prog", "list", "--json");
        Assert.Contains(list.Json().EnumerateArray(), p => p.GetProperty("id").GetUInt32() == id);
    }

    [Fact]
    public void Map_update_lookup_dump_delete_round_trip_and_errors_are_one_line()
    {
        LoadCounter();
        Assert.Equal(0, SluiceProcess.Run("map", "update", _sources, "--key", "ipv4:198.18.0.9", "--value", "u64:42").ExitCode);
        var dump = SluiceProcess.Run("map", "dump", _sources, "--json");
        Assert.Contains(dump.Json().EnumerateArray(), e => e.GetProperty("key")[3].GetString() == "0x09"
            && e.GetProperty("value")[0].GetString() == "0x2a");

        var exists = SluiceProcess.Run("map", "update", _sources, "--key", "ipv4:198.18.0.9", "--value", "u64:1", "--flags", "noexist");
        Assert.Equal(1, exists.ExitCode);
        Assert.Contains("EEXIST", exists.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, SluiceProcess.Run("map", "delete", _sources, "--key", "ipv4:198.18.0.9").ExitCode);
        var missing = SluiceProcess.Run("map", "lookup", _sources, "--key", "ipv4:198.18.0.9");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr, StringComparison.Ordinal);

        var wrongSize = SluiceProcess.Run("map", "lookup", _sources, "--key", "u16:1");
        Assert.Equal(1, wrongSize.ExitCode);
        Assert.Equal("error: key is 2 bytes, the map's key size is 4", wrongSize.Stderr.Trim());
    }

    [Fact]
    public void Unknown_map_and_program_give_clear_errors()
    {
        Requires.Root();
        var map = SluiceProcess.Run("map", "show", "no_such_map_name_xyz");
        Assert.Equal(1, map.ExitCode);
        Assert.Contains("no loaded map named", map.Stderr, StringComparison.Ordinal);
        var prog = SluiceProcess.Run("prog", "run", "/sys/fs/bpf/does-not-exist", "--data", "/etc/hostname");
        Assert.Equal(1, prog.ExitCode);
        Assert.Contains("no such pinned program", prog.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_dump_of_a_ring_buffer_finds_no_elements_and_says_why_like_bpftool()
    {
        Requires.Root();
        string maps = System.IO.Path.Combine(_pins.Path, "maps");
        var load = SluiceProcess.Run("object", "load", Fixture.Path("ringbuf"), "--pin", _pins.Path, "--pin-maps", maps);
        Assert.True(load.ExitCode == 0, load.Stderr);
        string events = System.IO.Path.Combine(maps, "events");

        var text = SluiceProcess.Run("map", "dump", events);
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Equal("Found 0 elements", text.Stdout.Trim());
        Assert.Equal("map 'events' is a ringbuf: it has no keys to dump", text.Stderr.Trim());

        var json = SluiceProcess.Run("map", "dump", events, "--json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        Assert.Equal(0, json.Json().GetArrayLength());
    }

    public void Dispose() => _pins.Dispose();
}
