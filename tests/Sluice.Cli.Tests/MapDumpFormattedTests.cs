using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests;

/// <summary>`sluice map dump --json` formats values by the map's BTF exactly as `bpftool map dump -j` does.</summary>
public class MapDumpFormattedTests
{
    [Theory]
    [InlineData("btf_kinds")]
    [InlineData("xdp_counter")]
    [InlineData("tracing")]
    [InlineData("globals")]
    public void Formatted_values_equal_bpftools(string fixture)
    {
        Requires.Root();
        if (!File.Exists("/usr/sbin/bpftool") && !File.Exists("/usr/bin/bpftool")) Requires.Unavailable("bpftool is not installed");
        using var pins = new TestPinDirectory(create: true);
        CliAssert.Succeeds("object", "load", Fixture.Path(fixture), "--pin", pins.Path);
        var mapIds = MapIdsOf(pins.Path);
        Assert.NotEmpty(mapIds);
        int compared = 0;
        foreach (uint id in mapIds)
        {
            string idText = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var show = JsonDocument.Parse(ShellCommand.Run("bpftool", "-j", "map", "show", "id", idText)).RootElement;
            if (!show.TryGetProperty("btf_id", out _) || show.GetProperty("type").GetString() is not ("array" or "hash" or "percpu_array" or "percpu_hash"))
                continue;
            FillWithPattern(idText, show);
            var theirs = JsonNode.Parse(ShellCommand.Run("bpftool", "-j", "map", "dump", "id", idText))!.AsArray();
            var ours = JsonNode.Parse(CliAssert.Succeeds("map", "dump", idText, "--json").Stdout)!.AsArray();
            Assert.Equal(theirs.Count, ours.Count);
            for (int i = 0; i < theirs.Count; i++)
            {
                var expected = theirs[i]!["formatted"];
                var actual = ours[i]!["formatted"];
                Assert.True(JsonNode.DeepEquals(expected, actual),
                    $"map {id} entry {i}:\nbpftool: {expected?.ToJsonString()}\nsluice:  {actual?.ToJsonString()}");
                if (expected is not null) compared++;
            }
        }
        Assert.True(compared > 0, "no BTF-formatted entry was compared");
    }

    [Fact]
    public void Maps_without_btf_stay_hex()
    {
        Requires.Root();
        using var pins = new TestPinDirectory(create: true);
        CliAssert.Succeeds("object", "load", Fixture.Path("legacy_maps"), "--pin", pins.Path);
        foreach (uint id in MapIdsOf(pins.Path))
        {
            var dump = CliAssert.Succeeds("map", "dump", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json").Json();
            Assert.All(dump.EnumerateArray(), entry => Assert.False(entry.TryGetProperty("formatted", out _)));
        }
    }

    /// <summary>Writes a byte pattern into the first entries of an array map (non-zero bitfields, enums, unions).</summary>
    private static void FillWithPattern(string id, JsonElement show)
    {
        if (show.GetProperty("type").GetString() != "array") return;
        int valueSize = show.GetProperty("bytes_value").GetInt32();
        var value = new byte[valueSize];
        for (int i = 0; i < value.Length; i++) value[i] = (byte)(i * 37 + 11);
        string hex = string.Join(' ', value.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        // Read-only sections are frozen: leave them as the object initialised them.
        ShellCommand.TryRun("bpftool", ["map", "update", "id", id, "key", "0", "0", "0", "0", "value", "hex", .. hex.Split(' ')], out _, out _);
    }

    private static List<uint> MapIdsOf(string pinDirectory)
    {
        var ids = new HashSet<uint>();
        foreach (var pin in Directory.GetFiles(pinDirectory))
        {
            if (ShellCommand.TryRun("bpftool", ["-j", "prog", "show", "pinned", pin], out string output, out _) != 0) continue;
            if (JsonDocument.Parse(output).RootElement.TryGetProperty("map_ids", out var maps))
                foreach (var map in maps.EnumerateArray()) ids.Add(map.GetUInt32());
        }
        return [.. ids.Order()];
    }
}
