using Xunit;

namespace Sluice.Bpf.Object.Tests;

public class ProgramTests
{
    [Fact]
    public void Minimal_has_one_xdp_program_returning_pass()
    {
        var spec = Objects.Read("minimal");
        var program = Assert.Single(spec.Programs);
        Assert.Equal("xdp_pass", program.Name);
        Assert.Equal("xdp", program.SectionName);
        Assert.Equal(BpfProgramType.Xdp, program.Type);
        Assert.Equal(BpfAttachType.Xdp, program.ExpectedAttachType);
        Assert.True(program.HasExpectedAttachType);
        Assert.Equal(2, program.Instructions.Length);
        Assert.Equal(0xb7, program.Instructions[0].Opcode); // r0 = imm
        Assert.Equal(2, program.Instructions[0].Immediate); // XDP_PASS
        Assert.True(program.Instructions[1].IsExit);
        Assert.Equal("GPL", spec.License);
        Assert.Equal("GPL", program.License);
        Assert.Equal("minimal", spec.Name);
        Assert.Empty(spec.Maps);
    }

    [Fact]
    public void Globals_programs_come_from_several_sections_in_order()
    {
        var spec = Objects.Read("globals");
        Assert.Equal(
            ["xdp_globals", "xdp_same_section_helper", "xdp_second", "tc_globals", "socket_globals"],
            spec.Programs.Select(p => p.Name));
        Assert.Equal(["xdp", "xdp", "xdp", "tc", "socket"], spec.Programs.Select(p => p.SectionName));
        Assert.Equal(BpfProgramType.SchedCls, spec.Program("tc_globals").Type);
        Assert.False(spec.Program("tc_globals").HasExpectedAttachType);
        Assert.Equal(BpfProgramType.SocketFilter, spec.Program("socket_globals").Type);
        Assert.False(spec.Program("socket_globals").HasExpectedAttachType);
        // .text functions are sub-programs only, never programs of their own.
        Assert.DoesNotContain(spec.Programs, p => p.SectionName == ".text");
    }

    [Theory]
    [InlineData("minimal")]
    [InlineData("globals")]
    [InlineData("maps")]
    [InlineData("sections")]
    [InlineData("xdp_counter")]
    [InlineData("tc_mark")]
    [InlineData("verifier_reject")]
    [InlineData("ringbuf")]
    public void Every_function_in_every_program_ends_in_exit_or_a_jump(string fixture)
    {
        var spec = Objects.Read(fixture);
        Assert.NotEmpty(spec.Programs);
        foreach (var program in spec.Programs)
        {
            Assert.NotEmpty(program.Instructions);
            Assert.True(program.Instructions[^1].IsExit, $"{program.Name} does not end in exit");
            var starts = program.FuncInfos.Select(f => (int)f.InstructionOffset).Append(program.Instructions.Length).ToList();
            for (int i = 1; i < starts.Count; i++)
            {
                var last = program.Instructions[starts[i] - 1];
                Assert.True(last.IsExit || last.Opcode == 0x05, $"{program.Name}: function ending at {starts[i]} ends in {last}");
            }
        }
    }

    [Fact]
    public void Sections_fixture_has_one_program_per_section_name()
    {
        var spec = Objects.Read("sections");
        Assert.Equal(53, spec.Programs.Count);
        foreach (var program in spec.Programs)
        {
            var expectedName = "prog_" + new string(program.SectionName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
            Assert.Equal(expectedName, program.Name);
            var info = ProgramSectionTable.Lookup(program.SectionName);
            Assert.NotNull(info);
            Assert.Equal(info.Value.Type, program.Type);
            Assert.Equal(info.Value.ExpectedAttachType, program.ExpectedAttachType);
            Assert.Equal(info.Value.HasExpectedAttachType, program.HasExpectedAttachType);
            Assert.Equal(info.Value.Flags, program.Flags);
        }
    }

    [Theory]
    [InlineData("xdp", BpfProgramType.Xdp, BpfAttachType.Xdp, true, 0u)]
    [InlineData("xdp.frags", BpfProgramType.Xdp, BpfAttachType.Xdp, true, 32u)]
    [InlineData("xdp/devmap", BpfProgramType.Xdp, BpfAttachType.XdpDevmap, true, 0u)]
    [InlineData("xdp.frags/devmap", BpfProgramType.Xdp, BpfAttachType.XdpDevmap, true, 32u)]
    [InlineData("xdp/cpumap", BpfProgramType.Xdp, BpfAttachType.XdpCpumap, true, 0u)]
    [InlineData("xdp.frags/cpumap", BpfProgramType.Xdp, BpfAttachType.XdpCpumap, true, 32u)]
    [InlineData("tc", BpfProgramType.SchedCls, (BpfAttachType)0, false, 0u)]
    [InlineData("tc/ingress", BpfProgramType.SchedCls, BpfAttachType.TcxIngress, true, 0u)]
    [InlineData("tc/egress", BpfProgramType.SchedCls, BpfAttachType.TcxEgress, true, 0u)]
    [InlineData("tcx/ingress", BpfProgramType.SchedCls, BpfAttachType.TcxIngress, true, 0u)]
    [InlineData("tcx/egress", BpfProgramType.SchedCls, BpfAttachType.TcxEgress, true, 0u)]
    [InlineData("classifier", BpfProgramType.SchedCls, (BpfAttachType)0, false, 0u)]
    [InlineData("action", BpfProgramType.SchedAct, (BpfAttachType)0, false, 0u)]
    [InlineData("sockops", BpfProgramType.SockOps, BpfAttachType.CgroupSockOps, true, 0u)]
    [InlineData("sk_msg", BpfProgramType.SkMsg, BpfAttachType.SkMsgVerdict, true, 0u)]
    [InlineData("sk_skb", BpfProgramType.SkSkb, (BpfAttachType)0, false, 0u)]
    [InlineData("sk_skb/stream_parser", BpfProgramType.SkSkb, BpfAttachType.SkSkbStreamParser, true, 0u)]
    [InlineData("sk_skb/stream_verdict", BpfProgramType.SkSkb, BpfAttachType.SkSkbStreamVerdict, true, 0u)]
    [InlineData("sk_skb/verdict", BpfProgramType.SkSkb, BpfAttachType.SkSkbVerdict, true, 0u)]
    [InlineData("socket", BpfProgramType.SocketFilter, (BpfAttachType)0, false, 0u)]
    [InlineData("sk_lookup", BpfProgramType.SkLookup, BpfAttachType.SkLookup, true, 0u)]
    [InlineData("sk_reuseport", BpfProgramType.SkReuseport, BpfAttachType.SkReuseportSelect, true, 0u)]
    [InlineData("sk_reuseport/migrate", BpfProgramType.SkReuseport, BpfAttachType.SkReuseportSelectOrMigrate, true, 0u)]
    [InlineData("flow_dissector", BpfProgramType.FlowDissector, BpfAttachType.FlowDissector, true, 0u)]
    [InlineData("cgroup_skb/ingress", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetIngress, true, 0u)]
    [InlineData("cgroup_skb/egress", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetEgress, true, 0u)]
    [InlineData("cgroup/skb", BpfProgramType.CgroupSkb, (BpfAttachType)0, false, 0u)]
    [InlineData("cgroup/sock", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockCreate, true, 0u)]
    [InlineData("cgroup/sock_create", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockCreate, true, 0u)]
    [InlineData("cgroup/sock_release", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockRelease, true, 0u)]
    [InlineData("cgroup/post_bind4", BpfProgramType.CgroupSock, BpfAttachType.CgroupInet4PostBind, true, 0u)]
    [InlineData("cgroup/post_bind6", BpfProgramType.CgroupSock, BpfAttachType.CgroupInet6PostBind, true, 0u)]
    [InlineData("cgroup/connect4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Connect, true, 0u)]
    [InlineData("cgroup/connect6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Connect, true, 0u)]
    [InlineData("cgroup/bind4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Bind, true, 0u)]
    [InlineData("cgroup/bind6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Bind, true, 0u)]
    [InlineData("cgroup/sendmsg4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp4Sendmsg, true, 0u)]
    [InlineData("cgroup/sendmsg6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp6Sendmsg, true, 0u)]
    [InlineData("cgroup/recvmsg4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp4Recvmsg, true, 0u)]
    [InlineData("cgroup/recvmsg6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp6Recvmsg, true, 0u)]
    [InlineData("cgroup/getpeername4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Getpeername, true, 0u)]
    [InlineData("cgroup/getpeername6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Getpeername, true, 0u)]
    [InlineData("cgroup/getsockname4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Getsockname, true, 0u)]
    [InlineData("cgroup/getsockname6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Getsockname, true, 0u)]
    [InlineData("cgroup/getsockopt", BpfProgramType.CgroupSockopt, BpfAttachType.CgroupGetsockopt, true, 0u)]
    [InlineData("cgroup/setsockopt", BpfProgramType.CgroupSockopt, BpfAttachType.CgroupSetsockopt, true, 0u)]
    [InlineData("cgroup/sysctl", BpfProgramType.CgroupSysctl, BpfAttachType.CgroupSysctl, true, 0u)]
    [InlineData("cgroup/dev", BpfProgramType.CgroupDevice, BpfAttachType.CgroupDevice, true, 0u)]
    [InlineData("lwt_in", BpfProgramType.LwtIn, (BpfAttachType)0, false, 0u)]
    [InlineData("lwt_out", BpfProgramType.LwtOut, (BpfAttachType)0, false, 0u)]
    [InlineData("lwt_xmit", BpfProgramType.LwtXmit, (BpfAttachType)0, false, 0u)]
    [InlineData("lwt_seg6local", BpfProgramType.LwtSeg6Local, (BpfAttachType)0, false, 0u)]
    [InlineData("netfilter", BpfProgramType.Netfilter, BpfAttachType.Netfilter, true, 0u)]
    public void Section_names_map_to_libbpf_types(string section, BpfProgramType type, BpfAttachType attach, bool hasAttach, uint flags)
    {
        var program = Objects.Read("sections").Programs.Single(p => p.SectionName == section);
        Assert.Equal(type, program.Type);
        Assert.Equal(hasAttach, program.HasExpectedAttachType);
        if (hasAttach) Assert.Equal(attach, program.ExpectedAttachType);
        Assert.Equal(flags, program.Flags);
    }

    [Theory]
    [InlineData("xdp/foo")]
    [InlineData("tc/foo")]
    [InlineData("xdpx")]
    [InlineData("")]
    public void Unknown_section_names_are_not_in_the_table(string section) =>
        Assert.Null(ProgramSectionTable.Lookup(section));

    [Fact]
    public void Plus_entries_accept_a_slash_suffix_only()
    {
        Assert.Equal(BpfProgramType.Kprobe, ProgramSectionTable.Lookup("kprobe/do_sys_open")!.Value.Type);
        Assert.Equal(BpfProgramType.Kprobe, ProgramSectionTable.Lookup("kprobe")!.Value.Type);
        Assert.Null(ProgramSectionTable.Lookup("kprobex"));
    }

    [Fact]
    public void Clone_is_independent()
    {
        var spec = Objects.Read("globals");
        var copy = spec.Clone();
        copy.Programs[0].Instructions[0].Immediate = 12345;
        copy.Programs[0].MapReferences.Clear();
        copy.Maps[0].InitialValue![0] ^= 0xff;
        Assert.NotEqual(12345, spec.Programs[0].Instructions[0].Immediate);
        Assert.NotEmpty(spec.Programs[0].MapReferences);
        Assert.NotEqual(copy.Maps[0].InitialValue![0], spec.Maps[0].InitialValue![0]);
    }

    [Fact]
    public void Unknown_executable_section_gives_an_unspecified_program()
    {
        var elf = new ElfBytes("globals");
        var strings = elf.Elf.Sections.First(s => s.Name == ".strtab");
        var span = elf.Bytes.AsSpan((int)strings.Offset, (int)strings.Size);
        int at = span.IndexOf("socket\0"u8);
        span[at + 5] = (byte)'z';
        var spec = ObjectReader.Read(elf.Bytes, "globals.bpf.o");
        var program = spec.Program("socket_globals");
        Assert.Equal("sockez", program.SectionName);
        Assert.Equal(BpfProgramType.Unspecified, program.Type);
        Assert.False(program.HasExpectedAttachType);
        Assert.NotEmpty(program.Instructions);
    }
}
