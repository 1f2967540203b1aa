using System.Buffers.Binary;
using Sluice.Bpf.Net.Netlink;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Net;

public class NetlinkMessageTests
{
    [Fact]
    public void Writer_aligns_attributes_and_patches_nested_lengths()
    {
        var writer = new NetlinkMessageWriter(Rtnl.RTM_SETLINK, 0);
        writer.WriteHeader(new IfInfoMessage { Index = 7 });
        writer.AddString(Rtnl.IFLA_IFNAME, "eth0");
        int nest = writer.BeginNested(Rtnl.IFLA_XDP);
        writer.AddInt32(Rtnl.IFLA_XDP_FD, -1);
        writer.AddUInt8(Rtnl.IFLA_XDP_ATTACHED, 2);
        writer.EndNested(nest);
        byte[] bytes = writer.ToArray(sequence: 42);

        Assert.Equal(bytes.Length, (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(0, bytes.Length % 4);
        Assert.Equal(42u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(NetlinkConstants.NLM_F_REQUEST, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)));

        var message = Assert.Single(NetlinkMessage.ParseAll(bytes));
        Assert.Equal(7, message.ReadHeader<IfInfoMessage>().Index);
        var attributes = message.Attributes(16);
        Assert.Equal("eth0", attributes.GetString(Rtnl.IFLA_IFNAME));
        var xdp = attributes.GetNested(Rtnl.IFLA_XDP)!;
        Assert.Equal(uint.MaxValue, xdp.GetUInt32(Rtnl.IFLA_XDP_FD));
        Assert.Equal((byte)2, xdp.GetUInt8(Rtnl.IFLA_XDP_ATTACHED));
        Assert.Null(xdp.GetUInt32(Rtnl.IFLA_XDP_PROG_ID));
    }

    [Fact]
    public void Truncated_attribute_stream_stops_instead_of_reading_past_the_end()
    {
        byte[] data = [8, 0, 1, 0, 1, 2, 3, 4, 200, 0, 2, 0, 9];
        var attributes = NetlinkAttributes.Parse(data);
        Assert.Equal([(ushort)1], attributes.Types);
    }

    [Fact]
    public void Kernel_refusal_carries_the_extended_ack_text()
    {
        Requires.Root();
        using var socket = NetlinkSocket.Open();
        // An XDP request for an interface index that cannot exist.
        var request = new NetlinkMessageWriter(Rtnl.RTM_SETLINK, 0);
        request.WriteHeader(new IfInfoMessage { Index = 0x7fff_fff0 });
        int nest = request.BeginNested(Rtnl.IFLA_XDP);
        request.AddInt32(Rtnl.IFLA_XDP_FD, -1);
        request.AddUInt32(Rtnl.IFLA_XDP_FLAGS, 0xffff);
        request.EndNested(nest);
        var error = Assert.Throws<NetlinkException>(() => socket.Request(request, "RTM_SETLINK"));
        Assert.Equal("RTM_SETLINK", error.Command);
        Assert.True(error.Errno > 0);
        Assert.Contains(error.ErrnoName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dump_returns_every_link_of_the_namespace()
    {
        Requires.Root();
        using var pair = new VethNamespaces();
        using var netns = NetworkNamespace.Open(pair.SenderNamespace);
        var states = Xdp.QueryAll(netns);
        Assert.Equal(["lo", pair.SenderInterface], states.Select(s => s.InterfaceName).Order());
        Assert.All(states, s => Assert.False(s.IsAttached));
    }
}
