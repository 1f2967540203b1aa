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
    public void Sections_fixture_has_one_program_per_section_name_and_the_table_covers_them_all()
    {
        var spec = Objects.Read("sections");
        var expected = LibbpfSectionRows.Select(row => row.Section).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, spec.Programs.Select(p => p.SectionName).Order(StringComparer.Ordinal));
        foreach (var program in spec.Programs)
        {
            var expectedName = "prog_" + new string(program.SectionName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
            Assert.Equal(expectedName, program.Name);
        }
    }

    /// <summary>
    /// libbpf's section names (the "Program types and ELF Sections" table of the libbpf documentation, libbpf 1.5),
    /// written out by hand: section, program type, expected attach type (when libbpf sets one) and program flags
    /// (32 = BPF_F_XDP_HAS_FRAGS). Independent of <see cref="ProgramSectionTable"/>, which the reader uses.
    /// </summary>
    private static readonly (string Section, BpfProgramType Type, BpfAttachType Attach, bool HasAttach, uint Flags)[] LibbpfSectionRows =
    [
        ("xdp", BpfProgramType.Xdp, BpfAttachType.Xdp, true, 0u),
        ("xdp.frags", BpfProgramType.Xdp, BpfAttachType.Xdp, true, 32u),
        ("xdp/devmap", BpfProgramType.Xdp, BpfAttachType.XdpDevmap, true, 0u),
        ("xdp.frags/devmap", BpfProgramType.Xdp, BpfAttachType.XdpDevmap, true, 32u),
        ("xdp/cpumap", BpfProgramType.Xdp, BpfAttachType.XdpCpumap, true, 0u),
        ("xdp.frags/cpumap", BpfProgramType.Xdp, BpfAttachType.XdpCpumap, true, 32u),
        ("tc", BpfProgramType.SchedCls, (BpfAttachType)0, false, 0u),
        ("tc/ingress", BpfProgramType.SchedCls, BpfAttachType.TcxIngress, true, 0u),
        ("tc/egress", BpfProgramType.SchedCls, BpfAttachType.TcxEgress, true, 0u),
        ("tcx/ingress", BpfProgramType.SchedCls, BpfAttachType.TcxIngress, true, 0u),
        ("tcx/egress", BpfProgramType.SchedCls, BpfAttachType.TcxEgress, true, 0u),
        ("classifier", BpfProgramType.SchedCls, (BpfAttachType)0, false, 0u),
        ("action", BpfProgramType.SchedAct, (BpfAttachType)0, false, 0u),
        ("sockops", BpfProgramType.SockOps, BpfAttachType.CgroupSockOps, true, 0u),
        ("sk_msg", BpfProgramType.SkMsg, BpfAttachType.SkMsgVerdict, true, 0u),
        ("sk_skb", BpfProgramType.SkSkb, (BpfAttachType)0, false, 0u),
        ("sk_skb/stream_parser", BpfProgramType.SkSkb, BpfAttachType.SkSkbStreamParser, true, 0u),
        ("sk_skb/stream_verdict", BpfProgramType.SkSkb, BpfAttachType.SkSkbStreamVerdict, true, 0u),
        ("sk_skb/verdict", BpfProgramType.SkSkb, BpfAttachType.SkSkbVerdict, true, 0u),
        ("socket", BpfProgramType.SocketFilter, (BpfAttachType)0, false, 0u),
        ("sk_lookup", BpfProgramType.SkLookup, BpfAttachType.SkLookup, true, 0u),
        ("sk_reuseport", BpfProgramType.SkReuseport, BpfAttachType.SkReuseportSelect, true, 0u),
        ("sk_reuseport/migrate", BpfProgramType.SkReuseport, BpfAttachType.SkReuseportSelectOrMigrate, true, 0u),
        ("flow_dissector", BpfProgramType.FlowDissector, BpfAttachType.FlowDissector, true, 0u),
        ("cgroup_skb/ingress", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetIngress, true, 0u),
        ("cgroup_skb/egress", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetEgress, true, 0u),
        ("cgroup/skb", BpfProgramType.CgroupSkb, (BpfAttachType)0, false, 0u),
        ("cgroup/sock", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockCreate, true, 0u),
        ("cgroup/sock_create", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockCreate, true, 0u),
        ("cgroup/sock_release", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockRelease, true, 0u),
        ("cgroup/post_bind4", BpfProgramType.CgroupSock, BpfAttachType.CgroupInet4PostBind, true, 0u),
        ("cgroup/post_bind6", BpfProgramType.CgroupSock, BpfAttachType.CgroupInet6PostBind, true, 0u),
        ("cgroup/connect4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Connect, true, 0u),
        ("cgroup/connect6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Connect, true, 0u),
        ("cgroup/bind4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Bind, true, 0u),
        ("cgroup/bind6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Bind, true, 0u),
        ("cgroup/sendmsg4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp4Sendmsg, true, 0u),
        ("cgroup/sendmsg6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp6Sendmsg, true, 0u),
        ("cgroup/recvmsg4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp4Recvmsg, true, 0u),
        ("cgroup/recvmsg6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp6Recvmsg, true, 0u),
        ("cgroup/getpeername4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Getpeername, true, 0u),
        ("cgroup/getpeername6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Getpeername, true, 0u),
        ("cgroup/getsockname4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Getsockname, true, 0u),
        ("cgroup/getsockname6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Getsockname, true, 0u),
        ("cgroup/getsockopt", BpfProgramType.CgroupSockopt, BpfAttachType.CgroupGetsockopt, true, 0u),
        ("cgroup/setsockopt", BpfProgramType.CgroupSockopt, BpfAttachType.CgroupSetsockopt, true, 0u),
        ("cgroup/sysctl", BpfProgramType.CgroupSysctl, BpfAttachType.CgroupSysctl, true, 0u),
        ("cgroup/dev", BpfProgramType.CgroupDevice, BpfAttachType.CgroupDevice, true, 0u),
        ("lwt_in", BpfProgramType.LwtIn, (BpfAttachType)0, false, 0u),
        ("lwt_out", BpfProgramType.LwtOut, (BpfAttachType)0, false, 0u),
        ("lwt_xmit", BpfProgramType.LwtXmit, (BpfAttachType)0, false, 0u),
        ("lwt_seg6local", BpfProgramType.LwtSeg6Local, (BpfAttachType)0, false, 0u),
        ("netfilter", BpfProgramType.Netfilter, BpfAttachType.Netfilter, true, 0u),
    ];

    public static TheoryData<string, BpfProgramType, BpfAttachType, bool, uint> LibbpfSections
    {
        get
        {
            var data = new TheoryData<string, BpfProgramType, BpfAttachType, bool, uint>();
            foreach (var row in LibbpfSectionRows) data.Add(row.Section, row.Type, row.Attach, row.HasAttach, row.Flags);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(LibbpfSections))]
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
