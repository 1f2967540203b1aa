using Sluice.Programs.Guard;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Controller;

/// <summary>Config files: the README example, defaults, imports, and errors with FILE:LINE (pure).</summary>
public sealed class GuardConfigTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"guard-config-{Guid.NewGuid():N}");

    public GuardConfigTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Loads_the_readme_example_with_its_import()
    {
        Write("blocklist.txt", "# spammers\n198.19.5.0/24\n\n203.0.113.0/24 # inline comment\nallow 198.18.9.0/24\n198.19.5.0/24\n");
        var config = GuardConfig.Load(Write("guard.json", """
            {
              "limits": { "pps": 1000, "synPps": 50, "burst": 100, "synBurst": 20, "blockSeconds": 30 },
              "connections": { "perSecond": 20, "burst": 10, "concurrent": 64 },
              "malformed": "drop",
              "default": "pass",
              "sampleRate": 64,
              "synCookies": false,
              "metadata": true,
              "suspicious": ["fragment", "malformed", "unmatched", "near-limit"],
              "tcDrop": ["fragment"],
              "allow": ["198.18.1.0/24", "198.18.0.0/16 tcp/443"],
              "deny": ["198.19.0.0/16", "0.0.0.0/0 udp/11211"],
              "import": ["blocklist.txt"]
            }
            """));
        var limits = config.Settings.Limits;
        Assert.Equal((1000u, 50u, 100u, 20u, TimeSpan.FromSeconds(30)), (limits.PacketsPerSecond, limits.SynPerSecond, limits.Burst, limits.SynBurst, limits.BlockTime));
        Assert.Equal((20u, 10u, 64u), (limits.ConnectionsPerSecond, limits.ConnectionBurst, limits.MaxConcurrentConnections));
        Assert.Equal(GuardMarks.Fragment | GuardMarks.Malformed | GuardMarks.Unmatched | GuardMarks.NearLimit, config.Settings.Suspicious);
        Assert.Equal(GuardMarks.Fragment, config.Settings.TcDrop);
        Assert.Equal(
            ["allow 198.18.1.0/24", "allow 198.18.0.0/16 tcp/443", "deny 198.19.0.0/16", "deny 0.0.0.0/0 udp/11211", "deny 198.19.5.0/24",
             "deny 203.0.113.0/24", "allow 198.18.9.0/24"],
            config.Rules.Select(r => r.ToString()));
    }

    [Fact]
    public void Every_field_is_optional()
    {
        var config = GuardConfig.Parse("{}");
        Assert.Equal(GuardSettings.Defaults, config.Settings);
        Assert.Empty(config.Rules);
    }

    [Theory]
    [InlineData("{\n  \"deny\": [\n    \"198.19.0.1/16\"\n  ]\n}", "cfg:3: '198.19.0.1/16' has host bits set: the network is 198.19.0.0/16")]
    [InlineData("{\n  \"limits\": {\n    \"pps\": -1\n  }\n}", "cfg:3: wrong type of value for limits.pps")]
    [InlineData("{\n  \"limit\": {}\n}", "cfg:2: unknown field 'limit'")]
    [InlineData("{\n  \"default\": \"reject\"\n}", "cfg:2: default must be \"drop\" or \"pass\", not \"reject\"")]
    [InlineData("{\n  \"suspicious\": [\"fragment\",\n \"odd\"]\n}", "cfg:3: unknown mark \"odd\" (one of allowed, fragment, malformed, unmatched, near-limit)")]
    [InlineData("{\n  \"allow\": [\"198.18.0.0/16\"],\n  \"deny\": [\"198.18.0.0/16\"]\n}", "cfg:3: 198.18.0.0/16 is both allowed and denied")]
    [InlineData("{\n  \"allow\": [\"deny 198.18.0.0/16\"]\n}", "cfg:2: 'deny 198.18.0.0/16' is in the allow list but says deny")]
    [InlineData("{\n  \"deny\": [\"198.18.0.0/16\"\n}", "cfg:3:")]
    [InlineData("{\n  \"import\": [\"missing.txt\"]\n}", "cfg:2: import file 'missing.txt' does not exist")]
    [InlineData("{\n  \"limits\": { \"pps\": 2000000000 }\n}", "cfg:2: pps 2000000000 is out of range (0..1000000000)")]
    [InlineData("{\n  \"deny\": [\"198.19.0.0/16\"],\n  \"allow\": [],\n  \"deny\": [\"198.20.0.0/16\"]\n}", "cfg:4: duplicate key \"deny\" (first at line 2)")]
    [InlineData("{\n  \"limits\": {\n    \"pps\": 5,\n    \"pps\": 6\n  }\n}", "cfg:4: duplicate key \"pps\" (first at line 3)")]
    [InlineData("{\n  \"deny\": [\"010.0.0.0/8\"]\n}", "cfg:2: '010.0.0.0/8': IPv4 addresses are four decimal numbers")]
    public void Errors_name_the_file_and_line(string json, string expected)
    {
        var error = Assert.ThrowsAny<GuardException>(() => GuardConfig.Parse(json, "cfg", _directory));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Import_errors_name_the_import_file_and_its_line()
    {
        string list = Write("list.txt", "198.19.0.0/16\n# fine\nnot-an-address\n");
        var error = Assert.Throws<GuardException>(() => GuardConfig.Load(Write("c.json", "{ \"import\": [\"list.txt\"] }")));
        Assert.Equal($"{list}:3: 'not-an-address' is not an IP address or CIDR prefix", error.Message);
        var missing = Assert.Throws<GuardException>(() => GuardConfig.Load(Path.Combine(_directory, "nope.json")));
        Assert.EndsWith("nope.json: no such file", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rule_files_stream_with_line_numbers()
    {
        string path = Write("rules.txt", "198.19.0.0/16\nallow fd00::/8 tcp/22\n\n  # comment only\n198.20.0.0/16 udp/0\n");
        using var rules = GuardRuleFile.Read(path).GetEnumerator();
        Assert.True(rules.MoveNext());
        Assert.Equal("deny 198.19.0.0/16", rules.Current.ToString());
        Assert.True(rules.MoveNext());
        Assert.Equal("allow fd00::/8 tcp/22", rules.Current.ToString());
        var error = Assert.Throws<GuardException>(() => rules.MoveNext());
        Assert.Equal($"{path}:5: '198.20.0.0/16 udp/0': the port must be 1..65535", error.Message);
    }

    [Fact]
    public void Settings_diff_compares_what_the_maps_hold()
    {
        var current = GuardSettings.Defaults;
        var desired = new GuardSettings { Limits = new GuardLimits { PacketsPerSecond = 1000, Burst = 1 }, Default = GuardVerdict.Drop, TcDrop = GuardMarks.Fragment };
        Assert.Equal(["pps: 0 -> 1000", "default: pass -> drop", "tcDrop: none -> fragment"], GuardSettingsDiff.Lines(current, desired));
        Assert.Empty(GuardSettingsDiff.Lines(desired, desired with { Limits = desired.Limits with { Burst = 0 } }));
    }

    [Fact]
    public void Plan_lines_show_adds_removes_and_settings()
    {
        var plan = new GuardPlan
        {
            Desired = GuardConfig.Empty,
            RulesToAdd = [GuardRule.Parse("deny 198.19.0.0/16"), GuardRule.Parse("deny 198.20.0.0/16")],
            RulesToRemove = [GuardRule.Parse("allow 198.18.1.0/24")],
            SettingsChanges = ["pps: 0 -> 1000"],
        };
        Assert.Equal(["+ deny 198.19.0.0/16", "+ ... and 1 more", "- allow 198.18.1.0/24", "~ pps: 0 -> 1000"], plan.Lines(maxRuleLines: 1));
        Assert.False(plan.IsEmpty);
        Assert.Equal(["no changes"], (plan with { RulesToAdd = [], RulesToRemove = [], SettingsChanges = [] }).Lines());
    }
}
