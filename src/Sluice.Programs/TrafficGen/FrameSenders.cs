using Sluice.Bpf;

namespace Sluice.Programs.TrafficGen;

/// <summary>One way of putting the next frames of the sequence on the wire.</summary>
internal interface IFrameSender : IDisposable
{
    /// <summary>Sends up to <paramref name="count"/> frames; returns how many the kernel took.</summary>
    long Send(long count);
}

/// <summary>The live-frames engine: the kernel runs <see cref="TrafficFrameWriter"/> and transmits what it redirects.</summary>
internal sealed class LiveFramesSender(TrafficFrame frame, TrafficFrameWriter writer, int interfaceIndex, int batchSize) : IFrameSender
{
    private long _written;

    public long Send(long count)
    {
        int runs = (int)Math.Min(count, int.MaxValue);
        if (writer.Program.RunLiveFrames(frame.Template, runs, interfaceIndex, batchSize))
        {
            _written += runs;
            return runs;
        }
        // A signal cut the call short: the program counted the frames it wrote.
        long now = writer.FramesWritten;
        long sent = now - _written;
        _written = now;
        return sent;
    }

    public void Dispose() => writer.Dispose();
}

/// <summary>The fallback engine: frames written in C# and sent with sendmmsg on an AF_PACKET socket.</summary>
internal sealed class PacketSocketSender : IFrameSender
{
    private const int Batch = 256;
    private readonly TrafficFrame _frame;
    private readonly PacketSocket _socket;
    private readonly byte[] _buffer;
    private readonly int[] _lengths;
    private long _sequence;

    internal PacketSocketSender(TrafficFrame frame, PacketSocket socket)
    {
        _frame = frame;
        _socket = socket;
        _buffer = new byte[frame.Length * Batch];
        _lengths = new int[Batch];
        for (int i = 0; i < Batch; i++)
        {
            frame.Template.CopyTo(_buffer.AsSpan(i * frame.Length));
            _lengths[i] = frame.Length;
        }
    }

    public long Send(long count)
    {
        int batch = (int)Math.Min(count, Batch);
        for (int i = 0; i < batch; i++) _frame.Write(_sequence + i, _buffer.AsSpan(i * _frame.Length, _frame.Length));
        int sent = _socket.Send(_buffer, _frame.Length, _lengths.AsSpan(0, batch));
        // Frames the kernel did not take are rewritten for the same sequence numbers next time.
        _sequence += sent;
        if (sent == 0) Thread.Yield();
        return sent;
    }

    public void Dispose() => _socket.Dispose();
}
