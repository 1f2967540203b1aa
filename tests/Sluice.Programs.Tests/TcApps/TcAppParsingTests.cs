using Sluice.Programs.Qos;
using Sluice.Programs.TcApps;
using Xunit;

namespace Sluice.Programs.Tests.TcApps;

/// <summary>Rates, DSCP names, classes and rule overlap: pure parsing, no privileges.</summary>
public sealed class TcAppParsingTests
{
    [Theory]
    [InlineData("10mbit", 1_250_000ul, RateUnit.Bytes)]
    [InlineData("1gbit", 125_000_000ul, RateUnit.Bytes)]
    [InlineData("1.5mbit", 187_500ul, RateUnit.Bytes)]
    [InlineData("5MB/s", 5_000_000ul, RateUnit.Bytes)]
    [InlineData("64kbps", 64_000ul, RateUnit.Bytes)]
    [InlineData("5kpps", 5_000ul, RateUnit.Packets)]
    [InlineData("800bit", 100ul, RateUnit.Bytes)]
    public void RatesInHumanUnits(string text, ulong perSecond, RateUnit unit) => Assert.Equal(new Rate(perSecond, unit), Rate.Parse(text));

    [Theory]
    [InlineData("10xbit")]
    [InlineData("0mbit")]
    [InlineData("mbit")]
    [InlineData("4bit")]
    [InlineData("2tbit")]
    [InlineData("")]
    public void BadRatesAreRefused(string text) => Assert.Equal(TcAppError.InvalidInput, Assert.Throws<TcAppException>(() => Rate.Parse(text)).Kind);

    [Fact]
    public void SizesAndRateTexts()
    {
        Assert.Equal(32ul * 1024, Rate.ParseSize("32k"));
        Assert.Equal(1500ul, Rate.ParseSize("1500"));
        Assert.Throws<TcAppException>(() => Rate.ParseSize("lots"));
        Assert.Equal("10mbit", Rate.Parse("10mbit").ToString());
        Assert.Equal("5kpps", Rate.Parse("5kpps").ToString());
    }

    [Theory]
    [InlineData("EF", 46)]
    [InlineData("af11", 10)]
    [InlineData("AF43", 38)]
    [InlineData("CS0", 0)]
    [InlineData("CS7", 56)]
    [InlineData("63", 63)]
    public void DscpNames(string text, byte value)
    {
        Assert.Equal(value, Dscp.Parse(text));
        Assert.Equal(value, Dscp.Parse(Dscp.Name(value)));
    }

    [Theory]
    [InlineData("AF44")]
    [InlineData("CS8")]
    [InlineData("64")]
    [InlineData("best")]
    public void BadDscpIsRefused(string text) => Assert.Throws<TcAppException>(() => Dscp.Parse(text));

    [Fact]
    public void Classes()
    {
        Assert.Equal(0x10010u, QosClass.Parse("high").Priority);
        Assert.Equal(0x10030u, QosClass.Parse("LOW").Priority);
        Assert.Equal(0x1a0005u, QosClass.Parse("1a:5").Priority);
        Assert.Equal(7u, QosClass.Parse("7").Priority);
        Assert.Equal("1a:5", QosClass.Parse("1a:5").ToString());
        Assert.Throws<TcAppException>(() => QosClass.Parse("urgent"));
    }

    [Theory]
    [InlineData("tcp port 80", "udp port 80", false)]
    [InlineData("tcp port 80", "port 80", true)]
    [InlineData("port 80-90", "port 91-95", false)]
    [InlineData("port 80-90", "tcp port 90", true)]
    [InlineData("src 198.18.0.0/16", "src 198.18.5.0/24 tcp", true)]
    [InlineData("src 198.18.0.0/24", "src 198.18.1.0/24", false)]
    [InlineData("src 198.18.0.0/24", "dst fd00::/8", false)]
    [InlineData("src 198.18.0.0/24", "dst 198.19.0.0/16", true)]
    [InlineData("icmp", "icmpv6", false)]
    public void Overlap(string a, string b, bool overlaps)
    {
        Assert.Equal(overlaps, ClassifierRule.ParseText(a).Overlaps(ClassifierRule.ParseText(b)));
        Assert.Equal(overlaps, ClassifierRule.ParseText(b).Overlaps(ClassifierRule.ParseText(a)));
    }

    [Theory]
    [InlineData("tcp prot 80")]
    [InlineData("icmp port 5")]
    [InlineData("src 198.18.0.1/16")]
    [InlineData("port 0")]
    [InlineData("port 90-80")]
    [InlineData("src 198.18.0.0/24 dst fd00::/8")]
    [InlineData("tcp udp")]
    public void BadRulesAreRefused(string text) => Assert.Throws<TcAppException>(() => ClassifierRule.ParseText(text));

    [Fact]
    public void RuleTextRoundTrips()
    {
        var rule = ClassifierRule.ParseText("tcp src 198.18.0.0/16 dst 198.19.0.0/16 port 80-90");
        Assert.Equal("tcp src 198.18.0.0/16 dst 198.19.0.0/16 port 80-90", rule.ToString());
    }
}
