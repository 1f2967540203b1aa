using Sluice.Bpf.Object;
using Sluice.Bpf.Tests.Links;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Tracing;

/// <summary>
/// tp_btf, raw and perf tracepoints on sock:inet_sock_set_state count the connect() calls of one thread in namespaces
/// the test creates; links pin, reopen and detach like every other link.
/// </summary>
public class TracepointAttachTests
{
    private const int Connections = 5;

    [Fact]
    public void Btf_raw_and_perf_tracepoints_count_the_connections_a_test_makes()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        using var bed = new TestBed();
        using var btf = TracingLink.Attach(collection.Program("count_connects_btf"));
        using var raw = RawTracepointLink.Attach(collection.Program("count_connects_raw"), "inet_sock_set_state");
        using var perf = Tracepoint.Attach(collection.Program("count_connects_tp"), "sock", "inet_sock_set_state");

        TcpConnections.Make(bed, Connections, tid => collection.WriteGlobal("target_tid", tid));

        var counts = collection.ArrayMap<TracingCounts>("tracing_counts")[0];
        Assert.Equal((ulong)Connections, counts.BtfTracepoint);
        Assert.Equal((ulong)Connections, counts.RawTracepoint);
        Assert.Equal((ulong)Connections, counts.Tracepoint);
        Assert.Equal(BpfLinkType.RawTracepoint, btf.Type);
        Assert.IsType<RawTracepointLink>(btf);
        Assert.Equal(AttachmentKind.PerfEventLink, perf.Kind);
        Assert.Equal(BpfLinkType.PerfEvent, perf.Type);
    }

    [Fact]
    public void Tracing_program_loads_with_the_kernels_btf_id_for_its_tracepoint()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        var info = collection.Program("count_connects_btf").GetInfo();
        var expected = KernelBtf.Find("btf_trace_inet_sock_set_state", BtfKind.Typedef);
        Assert.NotNull(expected);
        Assert.Equal(expected.Value.Type.Id, info.AttachBtfId);
    }

    [Fact]
    public void Pinned_tracepoint_links_keep_counting_after_the_attaching_objects_are_gone_and_stop_when_unpinned()
    {
        Requires.Root();
        using var pins = new TestPinDirectory(create: true);
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        using var bed = new TestBed();
        string rawPin = Path.Combine(pins.Path, "raw");
        string perfPin = Path.Combine(pins.Path, "perf");
        uint rawId, perfId;
        using (var raw = RawTracepointLink.Attach(collection.Program("count_connects_raw"), "inet_sock_set_state"))
        using (var perf = Tracepoint.Attach(collection.Program("count_connects_tp"), "sock", "inet_sock_set_state"))
        {
            raw.Pin(rawPin);
            perf.Pin(perfPin);
            (rawId, perfId) = (raw.Id, perf.Id);
        }

        TcpConnections.Make(bed, Connections, tid => collection.WriteGlobal("target_tid", tid));
        foreach (var (pin, id) in new[] { (perfPin, perfId), (rawPin, rawId) })
        {
            using (var reopened = BpfLink.OpenPinned(pin))
            {
                Assert.Equal(id, reopened.Id);
                Assert.True(reopened is PerfEventLink or RawTracepointLink, reopened.GetType().Name);
                reopened.Unpin();
            }
            LinkRelease.WaitUntilGone(id);
        }
        TcpConnections.Make(bed, Connections, tid => collection.WriteGlobal("target_tid", tid));

        var counts = collection.ArrayMap<TracingCounts>("tracing_counts")[0];
        Assert.Equal((ulong)Connections, counts.RawTracepoint);
        Assert.Equal((ulong)Connections, counts.Tracepoint);
    }

    [Fact]
    public void Perf_event_links_cannot_be_force_detached_and_say_how_to_release_them()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        using var perf = Tracepoint.Attach(collection.Program("count_connects_tp"), "sock", "inet_sock_set_state");
        try
        {
            perf.Detach();
        }
        catch (BpfNotSupportedException error)
        {
            Assert.Contains("pins", error.Message, StringComparison.Ordinal);
            return;
        }
        Assert.Equal(0u, perf.ProgramId); // a kernel that can: the link is defunct
    }

    [Fact]
    public void Missing_tracepoint_is_a_target_not_found_error()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        var error = Assert.Throws<BpfAttachException>(() =>
            Tracepoint.Attach(collection.Program("count_connects_tp"), "sock", "no_such_tracepoint_here"));
        Assert.Equal(AttachFailure.TargetNotFound, error.Reason);
        Assert.Contains("sock:no_such_tracepoint_here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Program_of_the_wrong_type_is_refused_before_the_kernel_is_asked()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        var error = Assert.Throws<BpfAttachException>(() =>
            Tracepoint.Attach(collection.Program("xdp_perf_output"), "sock", "inet_sock_set_state"));
        Assert.Equal(AttachFailure.WrongProgramType, error.Reason);
    }

    [Fact]
    public void Attach_by_section_name_finds_the_tracepoint()
    {
        Requires.Root();
        using var collection = BpfCollection.Load(Fixture.Path("tracing"));
        using var bed = new TestBed();
        var program = collection.Program("count_connects_tp");
        using var link = TracingAttach.AttachBySection(program.Fd, "tracepoint/sock/inet_sock_set_state");
        TcpConnections.Make(bed, 2, tid => collection.WriteGlobal("target_tid", tid));
        Assert.Equal(2UL, collection.ArrayMap<TracingCounts>("tracing_counts")[0].Tracepoint);
    }
}
