using System.Net;
using Sluice.Programs.Guard;
using Xunit;

namespace Sluice.Programs.Tests.Guard.Controller;

public sealed class GuardRuleTextAndTargetTests
{
    [Theory]
    [InlineData("198.18.0.0/16", "deny 198.18.0.0/16")]
    [InlineData("deny 198.19.0.0/16", "deny 198.19.0.0/16")]
    [InlineData("allow 198.18.1.0/24 tcp/443", "allow 198.18.1.0/24 tcp/443")]
    [InlineData("deny 0.0.0.0/0 udp/11211", "deny 0.0.0.0/0 udp/11211")]
    [InlineData("deny ::/0 icmpv6", "deny ::/0 icmpv6")]
    [InlineData("  ALLOW   198.18.0.7   TCP  ", "allow 198.18.0.7/32 tcp")]
    [InlineData("fd00::1", "deny fd00::1/128")]
    [InlineData("deny 198.18.0.0/15 47", "deny 198.18.0.0/15 47")]
    [InlineData("deny 198.18.0.0/15 icmp", "deny 198.18.0.0/15 icmp")]
    [InlineData("deny 0.0.0.0/0", "deny 0.0.0.0/0")]
    [InlineData("deny 10.0.0.0/8", "deny 10.0.0.0/8")]
    [InlineData("deny 64:ff9b::/96", "deny 64:ff9b::/96")]
    [InlineData("deny ::/0", "deny ::/0")]
    [InlineData("deny ::198.19.0.1", "deny ::198.19.0.1/128")]
    public void Parses_and_formats_canonically(string text, string canonical)
    {
        var rule = GuardRule.Parse(text);
        Assert.Equal(canonical, rule.ToString());
        Assert.Equal(rule, GuardRule.Parse(rule.ToString()));
    }

    [Fact]
    public void Fields_and_scope()
    {
        var rule = GuardRule.Parse("allow 198.18.1.0/24 udp/53");
        Assert.Equal(IPNetwork.Parse("198.18.1.0/24"), rule.Source);
        Assert.Equal(GuardRuleAction.Allow, rule.Action);
        Assert.Equal(17, rule.Protocol);
        Assert.Equal(53, rule.Port);
        Assert.Equal(GuardScope.Port, rule.Scope);
        Assert.Equal(GuardScope.Protocol, GuardRule.Parse("198.18.0.0/16 tcp").Scope);
        Assert.Equal(GuardScope.Any, GuardRule.Parse("198.18.0.0/16").Scope);
        Assert.Equal(GuardRuleAction.Allow, GuardRule.Parse("198.18.0.0/16", GuardRuleAction.Allow).Action);
    }

    [Theory]
    [InlineData("198.18.0.1/16", "198.18.0.0/16")]
    [InlineData("", "empty")]
    [InlineData("deny", "needs an address")]
    [InlineData("300.1.1.1", "not an IP address")]
    [InlineData("198.18", "four decimal numbers")]
    [InlineData("deny 010.0.0.0/8", "without leading zeros")]
    [InlineData("deny 0x0a.0.0.0/8", "four decimal numbers")]
    [InlineData("deny 10.0.0.00/32", "without leading zeros")]
    [InlineData("deny 167772160", "four decimal numbers")]
    [InlineData("deny 0xc6120000/15", "four decimal numbers")]
    [InlineData("deny ::ffff:010.0.0.1", "::ffff:010.0.0.1")]
    [InlineData("deny ::ffff:198.19.0.0/112", "refused (not converted): the guard treats IPv4-mapped sources as IPv4, write it as 198.19.0.0/16")]
    [InlineData("deny ::ffff:c613:0/112", "write it as 198.19.0.0/16")]
    [InlineData("allow ::ffff:198.18.0.1", "write it as 198.18.0.1/32")]
    [InlineData("deny ::ffff:0:0/96 udp/53", "write it as 0.0.0.0/0")]
    [InlineData("198.18.0.0/33", "0..32")]
    [InlineData("fd00::/129", "0..128")]
    [InlineData("198.18.0.0/16 icmp/5", "a port needs tcp or udp")]
    [InlineData("198.18.0.0/16 tcp/0", "1..65535")]
    [InlineData("198.18.0.0/16 tcp/70000", "1..65535")]
    [InlineData("198.18.0.0/16 foo", "'foo' is not a protocol")]
    [InlineData("198.18.0.0/16 tcp extra", "unexpected 'extra'")]
    [InlineData("198.18.0.0/16 0", "is not a protocol")]
    public void Bad_text_is_one_clear_line(string text, string expected)
    {
        // Misreadable forms (inet_aton octets, mapped prefixes) are refused, never installed as a different rule.
        var error = Assert.Throws<GuardException>(() => GuardRule.Parse(text));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(GuardRule.TryParse(text, GuardRuleAction.Deny, out var rule, out var message));
        Assert.Null(rule);
        Assert.Equal(error.Message, message);
    }

    [Fact]
    public void Target_paths_and_labels()
    {
        var target = new GuardTarget("eth0");
        Assert.Equal("default", target.NamespaceLabel);
        Assert.Equal("/sys/fs/bpf/sluice/guard/default/eth0", target.PinDirectory);
        var inNamespace = new GuardTarget("veth1", "lab");
        Assert.Equal("/sys/fs/bpf/sluice/guard/lab/veth1", inNamespace.PinDirectory);
        Assert.Equal("veth1 (netns lab)", inNamespace.Describe());
        Assert.Throws<GuardException>(() => new GuardTarget("a/b"));
        Assert.Throws<GuardException>(() => new GuardTarget("averyveryverylongname"));
        // A namespace named like the caller's own label would share its pin directory.
        var shared = Assert.Throws<GuardException>(() => new GuardTarget("eth0", "default"));
        Assert.Contains("would share the pin directory", shared.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lists_attached_targets_under_a_root()
    {
        string root = Path.Combine(Path.GetTempPath(), $"guard-list-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory($"{root}/default/eth0");
            Directory.CreateDirectory($"{root}/lab/veth1");
            var targets = GuardTarget.ListAttached(root);
            Assert.Equal([new GuardTarget("eth0") { Root = root }, new GuardTarget("veth1", "lab") { Root = root }], targets);
            Assert.Empty(GuardTarget.ListAttached(root + "-missing"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
