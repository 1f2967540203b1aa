using System.Text.Json;
using Sluice.Tests;
using Xunit;

namespace Sluice.Cli.Tests.Guard;

public class GuardRuleCommandTests
{
    [Fact]
    public void Deny_allow_and_remove_are_visible_in_rules_json()
    {
        Requires.Root();
        using var guard = new GuardTestTarget();
        guard.Attach();

        guard.Succeeds("deny", "198.19.0.0/16", "198.18.7.7", "fd00:dead::/32");
        guard.Succeeds("allow", "198.19.1.0/24");
        guard.Succeeds("deny", "0.0.0.0/0", "--proto", "udp", "--port", "11211");
        guard.Succeeds("allow", "198.18.0.0/16 tcp/443");
        Assert.Equal(
            ["allow 198.18.0.0/16 tcp/443", "allow 198.19.1.0/24", "deny 0.0.0.0/0 udp/11211", "deny 198.18.7.7/32", "deny 198.19.0.0/16", "deny fd00:dead::/32"],
            guard.RuleTexts());

        var rules = guard.Json("rules").EnumerateArray().ToList();
        var port = Assert.Single(rules, r => r.GetProperty("rule").GetString() == "deny 0.0.0.0/0 udp/11211");
        Assert.Equal("deny", port.GetProperty("action").GetString());
        Assert.Equal("0.0.0.0/0", port.GetProperty("source").GetString());
        Assert.Equal("port", port.GetProperty("scope").GetString());
        Assert.Equal("udp", port.GetProperty("protocol").GetString());
        Assert.Equal(11211, port.GetProperty("port").GetInt32());
        Assert.Equal(0UL, port.GetProperty("packets").GetUInt64());
        var any = Assert.Single(rules, r => r.GetProperty("rule").GetString() == "deny 198.19.0.0/16");
        Assert.Equal(JsonValueKind.Null, any.GetProperty("protocol").ValueKind);

        // Adding a rule again changes nothing; removing takes exactly the rules named.
        Assert.Contains("1 unchanged", guard.Succeeds("deny", "198.19.0.0/16").Stdout, StringComparison.Ordinal);
        guard.Succeeds("deny", "198.19.0.0/16", "fd00:dead::/32", "--remove");
        guard.Succeeds("allow", "198.18.0.0/16", "--proto", "tcp", "--port", "443", "--remove");
        Assert.Equal(["allow 198.19.1.0/24", "deny 0.0.0.0/0 udp/11211", "deny 198.18.7.7/32"], guard.RuleTexts());

        var table = guard.Succeeds("rules").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["ACTION", "SOURCE", "PROTO", "PORT", "PACKETS", "BYTES"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(4, table.Length);
    }

    [Fact]
    public void Limit_changes_only_the_options_given()
    {
        Requires.Root();
        using var guard = new GuardTestTarget();
        guard.Attach();
        guard.Succeeds("limit", "--pps", "1000", "--syn-pps", "50", "--burst", "100", "--block-time", "30");
        guard.Succeeds("limit", "--syn-burst", "20", "--conn-max", "64", "--default", "pass", "--suspicious", "fragment,near-limit");
        var settings = guard.Json("limit").GetProperty("settings");
        Assert.Equal(1000, settings.GetProperty("pps").GetInt32());
        Assert.Equal(50, settings.GetProperty("syn_pps").GetInt32());
        Assert.Equal(100, settings.GetProperty("burst").GetInt32());
        Assert.Equal(20, settings.GetProperty("syn_burst").GetInt32());
        Assert.Equal(30, settings.GetProperty("block_seconds").GetDouble());
        Assert.Equal(64, settings.GetProperty("conn_max").GetInt32());
        Assert.Equal(["fragment", "near-limit"], settings.GetProperty("suspicious").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(settings.GetRawText(), guard.Json("status").GetProperty("settings").GetRawText());

        guard.Succeeds("limit", "--off");
        settings = guard.Json("limit").GetProperty("settings");
        Assert.Equal(0, settings.GetProperty("pps").GetInt32());
        Assert.Equal(0, settings.GetProperty("conn_max").GetInt32());
        Assert.Equal(["fragment", "near-limit"], settings.GetProperty("suspicious").EnumerateArray().Select(m => m.GetString()));
    }
}
