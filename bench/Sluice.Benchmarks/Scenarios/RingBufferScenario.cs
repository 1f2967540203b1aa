using System.Buffers;
using System.Diagnostics;
using Sluice.Benchmarks.Harness;
using Sluice.Bpf;

namespace Sluice.Benchmarks.Scenarios;

/// <summary>
/// Ring buffer throughput: the ringbuf_seq producer (tests/Fixtures/ringbuf_seq.bpf.c) test-run 3,000,000 times on
/// one thread while the main thread consumes. Sluice's <see cref="BpfRingBuffer.Poll{TState}"/> against libbpf's
/// ring_buffer__poll (bench/c/ringbuf_consumer.c) loading the same object. Figure: records received per second
/// from the producer's start to the last record; both sides check order and that received + dropped = emitted.
/// </summary>
public sealed class RingBufferScenario : IScenario
{
    private const int Events = 3_000_000;
    private static readonly ReadOnlySpanAction<byte, ConsumerState> Handler = static (record, state) => state.Accept(record);

    public string Name => "ringbuf";

    public string Description => $"ring buffer events/s, {Events:N0} test-run events (libbpf: bench/c/ringbuf_consumer.c)";

    public IEnumerable<Measurement> Run(int rounds)
    {
        var consumer = BenchPaths.CArtifact("ringbuf_consumer");
        var objectPath = BenchPaths.CArtifact("ringbuf_seq.bpf.o");
        MeasureSluice(objectPath, Events / 10); // warm-up
        var efficiency = (Sluice: new Samples(), Baseline: new Samples());
        var (sluice, baseline) = Interleaved.Run(rounds,
            () => MeasureSluice(objectPath, Events, efficiency.Sluice),
            () => MeasureLibbpf(consumer, objectPath, efficiency.Baseline));
        yield return new Measurement("ringbuf-events", "events/s", Better.Higher, sluice.Median, baseline.Median, "libbpf", 0.8);
        yield return new Measurement("ringbuf-consumer-cpu", "events/cpu-s", Better.Higher,
            efficiency.Sluice.Median, efficiency.Baseline.Median, "libbpf", null,
            "events received per second of the consumer thread's own CPU time (reported, no target)");
    }

    private static double MeasureLibbpf(string consumer, string objectPath, Samples efficiency)
    {
        var figures = CBaseline.Run(consumer, objectPath, Events.ToString());
        if (figures["out_of_order"] != 0) throw new InvalidOperationException("libbpf consumer saw records out of order");
        efficiency.Add(figures["events_per_cpu_second"]);
        Report("libbpf", figures["events_per_second"], figures["received"], figures["dropped"], figures["seconds"], figures["consumer_cpu_seconds"]);
        return figures["events_per_second"];
    }

    private static double MeasureSluice(string objectPath, int events, Samples? efficiency = null)
    {
        using var collection = BpfCollection.Load(objectPath);
        var program = collection.Program("ringbuf_seq");
        using var ring = new BpfRingBuffer(collection.Map("events"));
        var state = new ConsumerState();
        int done = 0;
        Exception? producerError = null;
        var producer = new Thread(() =>
        {
            try
            {
                program.TestRun(new byte[64], repeat: events);
            }
            catch (Exception error)
            {
                producerError = error;
            }
            Volatile.Write(ref done, 1);
        });

        long start = Stopwatch.GetTimestamp();
        double cpuStart = ThreadCpuClock.Seconds();
        producer.Start();
        while (Volatile.Read(ref done) == 0) ring.Poll(Handler, state, 100);
        // The producer has finished: what is left in the ring is all that will come.
        while (ring.Consume(Handler, state) > 0)
        {
        }
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        double cpu = ThreadCpuClock.Seconds() - cpuStart;
        producer.Join();
        if (producerError is not null) throw producerError;

        ulong dropped = collection.ReadGlobal<ulong>("dropped");
        if (state.OutOfOrder != 0) throw new InvalidOperationException("Sluice consumer saw records out of order");
        if (state.Received + dropped != (ulong)events)
            throw new InvalidOperationException($"received {state.Received} + dropped {dropped} != emitted {events}");
        efficiency?.Add(state.Received / cpu);
        if (efficiency is not null) Report("sluice", state.Received / seconds, state.Received, dropped, seconds, cpu);
        return state.Received / seconds;
    }

    /// <summary>Per-round detail on stderr: when the producer outruns the consumer, most events are dropped.</summary>
    private static void Report(string side, double perSecond, double received, double dropped, double seconds, double cpu) =>
        Console.Error.WriteLine(
            $"  {side,-6} {perSecond,12:N0} events/s  received {received,10:N0}  dropped {dropped,10:N0}  in {seconds:0.000} s, consumer CPU {cpu:0.000} s");

    private sealed class ConsumerState
    {
        public ulong Received;
        public ulong Last;
        public ulong OutOfOrder;

        public void Accept(ReadOnlySpan<byte> record)
        {
            ulong sequence = BitConverter.ToUInt64(record);
            if (sequence <= Last) OutOfOrder++;
            Last = sequence;
            Received++;
        }
    }
}
