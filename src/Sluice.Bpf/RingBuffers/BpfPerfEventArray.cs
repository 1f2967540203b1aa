using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// Reads what BPF programs send with bpf_perf_event_output through a BPF_MAP_TYPE_PERF_EVENT_ARRAY (Linux 4.4):
/// one software BPF_OUTPUT perf event per CPU, each with its own memory-mapped ring, stored in the map's slot for
/// that CPU. Records come back per CPU (ordering holds only within a CPU, unlike <see cref="BpfRingBuffer"/>), and
/// records the kernel dropped because a ring was full are counted in <see cref="LostRecords"/>.
/// </summary>
/// <remarks>
/// One consumer: Poll and Consume must not run concurrently. Dispose must not race with them either. The reader
/// does not own the map; it clears the slots it filled when disposed so the programs stop writing into dead rings.
/// </remarks>
public sealed unsafe class BpfPerfEventArray : IDisposable
{
    private const int PerfRecordLost = 2;
    private const int PerfRecordSample = 9;
    // struct perf_event_mmap_page: data_head, data_tail, data_offset, data_size (Linux 4.1 for the last two).
    private const int DataHeadOffset = 1024;
    private const int DataTailOffset = 1032;
    private const int DataOffsetOffset = 1040;
    private const int DataSizeOffset = 1048;

    private readonly List<CpuRing> _rings = [];
    private readonly int _epollFd;
    private byte[] _wrapBuffer = new byte[256];
    private bool _disposed;

    /// <summary>Opens one ring of <paramref name="pagesPerCpu"/> data pages (a power of two) for each online CPU.</summary>
    /// <exception cref="ArgumentException">The map is not a PERF_EVENT_ARRAY, or the page count is not a power of two.</exception>
    /// <exception cref="BpfException">perf_event_open, mmap or the map update failed.</exception>
    public BpfPerfEventArray(BpfMap map, int pagesPerCpu = 8)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Type != BpfMapType.PerfEventArray)
            throw new ArgumentException($"map '{map.Name}' is a {map.Type} map, not a PerfEventArray map", nameof(map));
        if (pagesPerCpu <= 0 || (pagesPerCpu & (pagesPerCpu - 1)) != 0)
            throw new ArgumentException($"pages per CPU must be a power of two, not {pagesPerCpu}", nameof(pagesPerCpu));
        Map = map;
        _epollFd = Libc.EpollCreate1(Libc.O_CLOEXEC);
        if (_epollFd < 0) throw Failure("epoll_create1");
        try
        {
            int cpus = (int)Math.Min((uint)PossibleCpus.Count, map.MaxEntries);
            for (int cpu = 0; cpu < cpus; cpu++) OpenRing(cpu, pagesPerCpu);
            if (_rings.Count == 0) throw new BpfException("perf_event_open", Libc.ENODEV, $"perf event array '{map.Name}': no CPU could be opened");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The perf event array this reader consumes.</summary>
    public BpfMap Map { get; }

    /// <summary>The CPUs that have a ring (the online ones when the reader was made).</summary>
    public IReadOnlyList<int> Cpus => [.. _rings.Select(r => r.Cpu)];

    /// <summary>Records the kernel dropped because a CPU's ring was full, summed over CPUs, as reported so far.</summary>
    public ulong LostRecords { get; private set; }

    /// <summary>Hands every waiting record to <paramref name="handler"/> without blocking; returns how many.</summary>
    public int Consume(PerfRecordHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int count = 0;
        foreach (var ring in _rings) count += Drain(ring, handler);
        return count;
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (-1: forever) for records, then consumes everything waiting;
    /// returns how many records were handled (0 on timeout).
    /// </summary>
    public int Poll(PerfRecordHandler handler, int timeoutMs)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int waiting = Consume(handler);
        if (waiting > 0) return waiting;
        var events = stackalloc EpollEvent[Math.Min(_rings.Count, 64)];
        while (true)
        {
            int ready = Libc.EpollWait(_epollFd, events, Math.Min(_rings.Count, 64), timeoutMs);
            if (ready >= 0) break;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EINTR) throw Failure("epoll_wait", errno);
        }
        return Consume(handler);
    }

    private void OpenRing(int cpu, int pages)
    {
        var attr = new PerfEventAttr
        {
            Type = PerfEvents.TypeSoftware,
            Config = PerfEvents.SoftwareBpfOutput,
            SampleType = PerfEvents.SampleRaw,
            SamplePeriod = 1,
            WakeupEvents = 1,
        };
        int fd = PerfEvents.Open(ref attr, pid: -1, cpu, out int errno);
        if (fd < 0)
        {
            if (errno == Libc.ENODEV) return; // offline CPU: nothing runs there to write
            throw Failure($"perf_event_open on CPU {cpu}", errno);
        }
        nuint pageSize = (nuint)Libc.Sysconf(Libc.SC_PAGESIZE);
        nuint length = pageSize * (nuint)(pages + 1);
        void* region = Libc.Mmap(null, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
        if ((nint)region == -1)
        {
            int mmapErrno = Marshal.GetLastPInvokeError();
            Libc.Close(fd);
            throw Failure($"mmap of the CPU {cpu} ring", mmapErrno);
        }
        var header = (byte*)region;
        ulong dataOffset = *(ulong*)(header + DataOffsetOffset);
        ulong dataSize = *(ulong*)(header + DataSizeOffset);
        // Kernels before 4.1 leave these zero: the data follows the first page.
        if (dataSize == 0) (dataOffset, dataSize) = (pageSize, pageSize * (nuint)pages);
        var ring = new CpuRing(cpu, fd, header, length, header + dataOffset, dataSize);
        _rings.Add(ring);

        var ev = new EpollEvent { Events = Libc.EPOLLIN, Data = (ulong)cpu };
        if (Libc.EpollCtl(_epollFd, Libc.EPOLL_CTL_ADD, fd, &ev) < 0) throw Failure("epoll_ctl");
        Span<byte> key = stackalloc byte[4];
        Span<byte> value = stackalloc byte[4];
        BitConverter.TryWriteBytes(key, cpu);
        BitConverter.TryWriteBytes(value, fd);
        Map.Update(key, value);
        ring.InMap = true;
        int enableErrno = PerfEvents.Enable(fd);
        if (enableErrno != 0) throw Failure($"enabling the CPU {cpu} perf event", enableErrno);
    }

    private int Drain(CpuRing ring, PerfRecordHandler handler)
    {
        ulong head = Volatile.Read(ref *(ulong*)(ring.Header + DataHeadOffset));
        ulong tail = *(ulong*)(ring.Header + DataTailOffset);
        ulong mask = ring.DataSize - 1;
        int count = 0;
        while (tail < head)
        {
            ulong at = tail & mask;
            var recordHeader = Read(ring, at, 8);
            uint type = MemoryMarshal.Read<uint>(recordHeader);
            ushort size = MemoryMarshal.Read<ushort>(recordHeader[6..]);
            if (size < 8) break; // corrupt: never spin
            var record = Read(ring, at, size);
            if (type == PerfRecordSample && size >= 12)
            {
                uint rawSize = MemoryMarshal.Read<uint>(record[8..]);
                handler(ring.Cpu, record.Slice(12, (int)Math.Min(rawSize, (uint)size - 12)));
                count++;
            }
            else if (type == PerfRecordLost && size >= 24)
            {
                LostRecords += MemoryMarshal.Read<ulong>(record[16..]);
            }
            tail += size;
        }
        Volatile.Write(ref *(ulong*)(ring.Header + DataTailOffset), tail);
        return count;
    }

    /// <summary>The bytes at ring position <paramref name="at"/>, copied out only when they wrap around the end.</summary>
    private ReadOnlySpan<byte> Read(CpuRing ring, ulong at, int length)
    {
        if (at + (ulong)length <= ring.DataSize) return new ReadOnlySpan<byte>(ring.Data + at, length);
        if (_wrapBuffer.Length < length) _wrapBuffer = new byte[Math.Max(length, _wrapBuffer.Length * 2)];
        int first = (int)(ring.DataSize - at);
        new ReadOnlySpan<byte>(ring.Data + at, first).CopyTo(_wrapBuffer);
        new ReadOnlySpan<byte>(ring.Data, length - first).CopyTo(_wrapBuffer.AsSpan(first));
        return _wrapBuffer.AsSpan(0, length);
    }

    private BpfException Failure(string operation, int? errno = null)
    {
        int code = errno ?? Marshal.GetLastPInvokeError();
        return new BpfException(operation, code,
            $"perf event array '{Map?.Name}': {operation} failed: {ErrnoNames.Name(code)} ({Libc.ErrorText(code)})");
    }

    /// <summary>Clears the map slots this reader filled, unmaps the rings and closes the perf events.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Span<byte> key = stackalloc byte[4];
        foreach (var ring in _rings)
        {
            if (ring.InMap && !Map.Fd.IsClosed)
            {
                BitConverter.TryWriteBytes(key, ring.Cpu);
                try
                {
                    Map.Delete(key);
                }
                catch (BpfException)
                {
                    // Best effort: the map may be going away with us.
                }
            }
            _ = PerfEvents.Disable(ring.Fd);
            Libc.Munmap(ring.Header, ring.Length);
            Libc.Close(ring.Fd);
        }
        _rings.Clear();
        if (_epollFd >= 0) Libc.Close(_epollFd);
    }

    private sealed class CpuRing(int cpu, int fd, byte* header, nuint length, byte* data, ulong dataSize)
    {
        public int Cpu { get; } = cpu;
        public int Fd { get; } = fd;
        public byte* Header { get; } = header;
        public nuint Length { get; } = length;
        public byte* Data { get; } = data;
        public ulong DataSize { get; } = dataSize;
        public bool InMap { get; set; }
    }
}
