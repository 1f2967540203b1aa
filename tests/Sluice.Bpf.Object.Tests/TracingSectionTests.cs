using Sluice.Bpf.Object;
using Xunit;

namespace Sluice.Bpf.Object.Tests;

/// <summary>Tracing section names: libbpf's program types and attach types, and the targets they name.</summary>
public class TracingSectionTests
{
    [Theory]
    [InlineData("tp_btf/inet_sock_set_state", BpfProgramType.Tracing, BpfAttachType.TraceRawTp, 0u)]
    [InlineData("fentry/tcp_v4_connect", BpfProgramType.Tracing, BpfAttachType.TraceFentry, 0u)]
    [InlineData("fexit/tcp_v4_connect", BpfProgramType.Tracing, BpfAttachType.TraceFexit, 0u)]
    [InlineData("fmod_ret/security_sk_alloc", BpfProgramType.Tracing, BpfAttachType.ModifyReturn, 0u)]
    [InlineData("fentry.s/tcp_v4_connect", BpfProgramType.Tracing, BpfAttachType.TraceFentry, ProgramSectionTable.Sleepable)]
    [InlineData("lsm/socket_connect", BpfProgramType.Lsm, BpfAttachType.LsmMac, 0u)]
    [InlineData("lsm.s/bprm_check_security", BpfProgramType.Lsm, BpfAttachType.LsmMac, ProgramSectionTable.Sleepable)]
    [InlineData("kprobe.multi/tcp_*", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeMulti, 0u)]
    [InlineData("kretprobe.multi/tcp_*", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeMulti, 0u)]
    [InlineData("uprobe.multi/bin:f*", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, 0u)]
    public void Btf_and_multi_sections_carry_an_expected_attach_type(string section, BpfProgramType type, BpfAttachType attach, uint flags)
    {
        var info = ProgramSectionTable.Lookup(section)!.Value;
        Assert.Equal(type, info.Type);
        Assert.True(info.HasExpectedAttachType);
        Assert.Equal(attach, info.ExpectedAttachType);
        Assert.Equal(flags, info.Flags);
    }

    [Theory]
    [InlineData("raw_tp/inet_sock_set_state", BpfProgramType.RawTracepoint)]
    [InlineData("raw_tracepoint.w/foo", BpfProgramType.RawTracepointWritable)]
    [InlineData("tracepoint/sock/inet_sock_set_state", BpfProgramType.Tracepoint)]
    [InlineData("tp/syscalls/sys_enter_openat", BpfProgramType.Tracepoint)]
    [InlineData("kretprobe/tcp_v4_connect", BpfProgramType.Kprobe)]
    [InlineData("uretprobe.s//bin/bash:readline", BpfProgramType.Kprobe)]
    [InlineData("freplace/handler", BpfProgramType.Ext)]
    [InlineData("usdt", BpfProgramType.Kprobe)]
    [InlineData("usdt.s", BpfProgramType.Kprobe)]
    public void Other_tracing_sections_have_libbpfs_program_type(string section, BpfProgramType type) =>
        Assert.Equal(type, ProgramSectionTable.Lookup(section)!.Value.Type);

    [Theory]
    [InlineData("tp_btf/inet_sock_set_state", TracingHook.BtfTracepoint, "inet_sock_set_state", "btf_trace_inet_sock_set_state", BtfKind.Typedef)]
    [InlineData("fentry/tcp_v4_connect", TracingHook.Fentry, "tcp_v4_connect", "tcp_v4_connect", BtfKind.Function)]
    [InlineData("fexit.s/do_unlinkat", TracingHook.Fexit, "do_unlinkat", "do_unlinkat", BtfKind.Function)]
    [InlineData("fmod_ret/security_sk_alloc", TracingHook.ModifyReturn, "security_sk_alloc", "security_sk_alloc", BtfKind.Function)]
    [InlineData("lsm/socket_connect", TracingHook.Lsm, "socket_connect", "bpf_lsm_socket_connect", BtfKind.Function)]
    public void Btf_sections_name_the_kernel_type_libbpf_looks_up(string section, TracingHook hook, string target, string type, BtfKind kind)
    {
        var parsed = TracingSection.Parse(section)!.Value;
        Assert.Equal(hook, parsed.Hook);
        Assert.Equal(target, parsed.Target);
        Assert.True(parsed.NeedsKernelBtf);
        Assert.Equal((type, kind), parsed.KernelBtfType);
    }

    [Fact]
    public void Targets_are_taken_apart()
    {
        Assert.Equal(("sock", "inet_sock_set_state"), TracingSection.Parse("tracepoint/sock/inet_sock_set_state")!.Value.TracepointName());
        Assert.Equal(("tcp_v4_connect", 16UL), TracingSection.Parse("kprobe/tcp_v4_connect+16")!.Value.ProbeFunction());
        Assert.Equal(("tcp_v4_connect", 0x10UL), TracingSection.Parse("kretprobe/tcp_v4_connect+0x10")!.Value.ProbeFunction());
        Assert.Equal(("/usr/lib/libc.so.6", "malloc", 4UL), TracingSection.Parse("uprobe//usr/lib/libc.so.6:malloc+4")!.Value.UprobeTarget());
        Assert.Equal(TracingHook.KprobeMulti, TracingSection.Parse("kprobe.multi/tcp_*")!.Value.Hook);
        Assert.Equal(TracingHook.RawTracepoint, TracingSection.Parse("raw_tp.w/foo")!.Value.Hook);
        Assert.Equal("", TracingSection.Parse("uprobe")!.Value.Target);
        Assert.False(TracingSection.Parse("raw_tp/x")!.Value.NeedsKernelBtf);
        Assert.Null(TracingSection.Parse("xdp"));
        Assert.Null(TracingSection.Parse("kprobex/foo"));
    }

    [Theory]
    [InlineData("tracepoint/no_category")]
    [InlineData("tracepoint/a/b/c")]
    [InlineData("tracepoint/sock/")]
    public void Tracepoints_without_category_and_name_are_refused(string section) =>
        Assert.Throws<FormatException>(() => TracingSection.Parse(section)!.Value.TracepointName());

    [Theory]
    [InlineData("uprobe/no_colon")]
    [InlineData("uprobe/bin:")]
    [InlineData("uprobe/bin:f+x1")]
    public void Malformed_uprobe_targets_are_refused(string section) =>
        Assert.Throws<FormatException>(() => TracingSection.Parse(section)!.Value.UprobeTarget());
}
