using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>
/// A receive-only AF_XDP socket (Linux 4.18) bound to one queue of one interface: a UMEM of fixed-size frames, a
/// fill ring through which frames are lent to the kernel and an RX ring on which received frames come back. An XDP
/// program steers frames here with bpf_redirect_map on an XSKMAP that holds <see cref="Handle"/>
/// (<see cref="BpfXskMap.Set"/>).
/// </summary>
/// <remarks>
/// Only one thread may call <see cref="Receive"/> at a time (single consumer). <see cref="Dispose"/> may race with
/// <see cref="Receive"/>: the mappings are unmapped only after the receiving call has returned. A socket still in
/// an XSKMAP stays alive in the kernel until the map entry is removed or the map is freed.
/// </remarks>
public sealed unsafe class XdpSocket : IDisposable
{
    private readonly XdpSocketHandle _socket;
    private readonly XdpSocketMemory _memory;
    private readonly uint _rxMask;
    private readonly uint _fillMask;
    private readonly ulong _frameMask;
    private int _receiving;

    private XdpSocket(XdpSocketHandle socket, XdpSocketMemory memory, XdpSocketOptions options, string interfaceName, int ifIndex, uint queueId)
    {
        _socket = socket;
        _memory = memory;
        _rxMask = options.RxRingSize - 1;
        _fillMask = options.FrameCount - 1;
        _frameMask = ~((ulong)options.FrameSize - 1);
        FrameSize = options.FrameSize;
        InterfaceName = interfaceName;
        InterfaceIndex = ifIndex;
        QueueId = queueId;
        Mode = options.Mode;
    }

    /// <summary>The socket descriptor, for <see cref="BpfXskMap.Set"/>.</summary>
    public SafeHandle Handle => _socket;

    /// <summary>The interface the socket is bound to.</summary>
    public string InterfaceName { get; }

    /// <summary>Its index in the socket's namespace.</summary>
    public int InterfaceIndex { get; }

    /// <summary>The receive queue the socket is bound to.</summary>
    public uint QueueId { get; }

    /// <summary>Bytes per UMEM frame.</summary>
    public uint FrameSize { get; }

    /// <summary>The bind mode.</summary>
    public XdpBindMode Mode { get; }

    /// <summary>
    /// Creates the socket and its UMEM and rings, lends every frame to the kernel and binds to queue
    /// <paramref name="queueId"/> of <paramref name="interfaceName"/> (inside <see cref="XdpSocketOptions.Namespace"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A size is not a power of two, or the frame size is not 2048..page size.</exception>
    /// <exception cref="BpfAttachException">No such interface.</exception>
    /// <exception cref="BpfException">A socket, setsockopt, mmap or bind step failed (bind: EBUSY when zero-copy is not possible or the queue is taken).</exception>
    public static XdpSocket Create(string interfaceName, uint queueId, XdpSocketOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(interfaceName);
        options ??= new XdpSocketOptions();
        Validate(options);
        return options.Namespace is { } netns
            ? netns.Run(() => CreateHere(interfaceName, queueId, options))
            : CreateHere(interfaceName, queueId, options);
    }

    private static void Validate(XdpSocketOptions options)
    {
        long page = Libc.Sysconf(Libc.SC_PAGESIZE);
        if (!BitOperations.IsPow2(options.FrameSize) || options.FrameSize < 2048 || options.FrameSize > page)
            throw new ArgumentException($"FrameSize {options.FrameSize} must be a power of two from 2048 to the page size ({page})", nameof(options));
        if (!BitOperations.IsPow2(options.FrameCount))
            throw new ArgumentException($"FrameCount {options.FrameCount} must be a power of two", nameof(options));
        if (!BitOperations.IsPow2(options.RxRingSize))
            throw new ArgumentException($"RxRingSize {options.RxRingSize} must be a power of two", nameof(options));
    }

    private static XdpSocket CreateHere(string interfaceName, uint queueId, XdpSocketOptions options)
    {
        int ifIndex = InterfaceResolver.Resolve(interfaceName, options.Namespace);
        int fd = Libc.Socket(Libc.AF_XDP, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) throw Failure("socket(AF_XDP)");
        var socket = new XdpSocketHandle(fd);
        var memory = new XdpSocketMemory();
        try
        {
            memory.MapUmem((nuint)options.FrameCount * options.FrameSize);
            var registration = new XdpUmemReg
            {
                Address = (ulong)memory.Umem,
                Length = (ulong)options.FrameCount * options.FrameSize,
                ChunkSize = options.FrameSize,
            };
            SetOption(fd, Libc.XDP_UMEM_REG, &registration, (uint)sizeof(XdpUmemReg), "XDP_UMEM_REG");
            uint fillSize = options.FrameCount;
            SetOption(fd, Libc.XDP_UMEM_FILL_RING, &fillSize, sizeof(uint), "XDP_UMEM_FILL_RING");
            // bind insists on a completion ring even for a receive-only socket; it is never mapped.
            uint completionSize = 64;
            SetOption(fd, Libc.XDP_UMEM_COMPLETION_RING, &completionSize, sizeof(uint), "XDP_UMEM_COMPLETION_RING");
            uint rxSize = options.RxRingSize;
            SetOption(fd, Libc.XDP_RX_RING, &rxSize, sizeof(uint), "XDP_RX_RING");

            XdpMmapOffsets offsets;
            uint length = (uint)sizeof(XdpMmapOffsets);
            if (Libc.GetSockOpt(fd, Libc.SOL_XDP, Libc.XDP_MMAP_OFFSETS, &offsets, &length) < 0) throw Failure("getsockopt(XDP_MMAP_OFFSETS)");
            memory.MapFill(fd, offsets.Fill, fillSize);
            memory.MapRx(fd, offsets.Rx, rxSize);

            // Lend every frame to the kernel before bind, so the first packet already finds room.
            for (uint i = 0; i < fillSize; i++) memory.FillRing[i] = (ulong)i * options.FrameSize;
            Volatile.Write(ref *memory.FillProducer, fillSize);

            var address = new SockAddrXdp
            {
                Family = Libc.AF_XDP,
                Flags = options.Mode == XdpBindMode.ZeroCopy ? Libc.XDP_ZEROCOPY : Libc.XDP_COPY,
                IfIndex = (uint)ifIndex,
                QueueId = queueId,
            };
            if (Libc.Bind(fd, &address, (uint)sizeof(SockAddrXdp)) < 0)
                throw Failure($"bind to {interfaceName} (ifindex {ifIndex}) queue {queueId} in {options.Mode} mode");
            return new XdpSocket(socket, memory, options, interfaceName, ifIndex, queueId);
        }
        catch
        {
            socket.Dispose();
            memory.Dispose();
            throw;
        }
    }

    private static void SetOption(int fd, int option, void* value, uint length, string name)
    {
        if (Libc.SetSockOpt(fd, Libc.SOL_XDP, option, value, length) < 0) throw Failure($"setsockopt({name})");
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for frames, then hands every frame on the RX ring (at most
    /// <paramref name="maxFrames"/>) to <paramref name="handler"/> and returns each to the fill ring. Returns the
    /// number handled; 0 when the timeout passed with nothing received. <see cref="TimeSpan.Zero"/> never blocks.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another thread is inside Receive.</exception>
    /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
    public int Receive(XdpFrameHandler handler, TimeSpan timeout, int maxFrames = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFrames);
        if (Interlocked.Exchange(ref _receiving, 1) != 0) throw new InvalidOperationException("XdpSocket.Receive is single-consumer");
        bool memoryHeld = false, socketHeld = false;
        try
        {
            _memory.DangerousAddRef(ref memoryHeld);
            _socket.DangerousAddRef(ref socketHeld);
            int handled = Drain(handler, maxFrames);
            if (handled > 0 || timeout <= TimeSpan.Zero) return handled;
            var clock = Stopwatch.StartNew();
            while (true)
            {
                var left = timeout - clock.Elapsed;
                if (left <= TimeSpan.Zero) return 0;
                var poll = new PollFd { Fd = (int)_socket.DangerousGetHandle(), Events = Libc.POLLIN };
                int ready = Libc.Poll(&poll, 1, (int)Math.Ceiling(Math.Min(left.TotalMilliseconds, int.MaxValue)));
                if (ready < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
                    throw Failure("poll");
                }
                handled = Drain(handler, maxFrames);
                if (handled > 0) return handled;
            }
        }
        catch (ObjectDisposedException) when (!memoryHeld || !socketHeld)
        {
            throw new ObjectDisposedException(nameof(XdpSocket));
        }
        finally
        {
            if (socketHeld) _socket.DangerousRelease();
            if (memoryHeld) _memory.DangerousRelease();
            Volatile.Write(ref _receiving, 0);
        }
    }

    private int Drain(XdpFrameHandler handler, int maxFrames)
    {
        var m = _memory;
        uint consumer = *m.RxConsumer; // only we write it
        uint producer = Volatile.Read(ref *m.RxProducer); // acquire: descriptors written before it are visible
        uint available = Math.Min(producer - consumer, (uint)maxFrames);
        if (available == 0) return 0;
        // Every frame is either in the fill ring, with the kernel, or on the RX ring: the fill ring (FrameCount
        // entries) always has room for the frames we give back.
        uint fillProducer = *m.FillProducer;
        try
        {
            for (uint i = 0; i < available; i++)
            {
                XdpDesc desc = m.RxRing[(consumer + i) & _rxMask];
                handler(new ReadOnlySpan<byte>(m.Umem + desc.Address, (int)desc.Length));
                m.FillRing[fillProducer & _fillMask] = desc.Address & _frameMask;
                fillProducer++;
                Volatile.Write(ref *m.RxConsumer, consumer + i + 1);
            }
        }
        finally
        {
            // Release order: the frames' fill entries are written before the kernel can see the new producer.
            Volatile.Write(ref *m.FillProducer, fillProducer);
        }
        return (int)available;
    }

    /// <summary>The kernel's drop counters for this socket.</summary>
    public XdpSocketStatistics GetStatistics()
    {
        bool held = false;
        try
        {
            _socket.DangerousAddRef(ref held);
            XdpStatisticsRaw raw;
            uint length = (uint)sizeof(XdpStatisticsRaw);
            if (Libc.GetSockOpt((int)_socket.DangerousGetHandle(), Libc.SOL_XDP, Libc.XDP_STATISTICS, &raw, &length) < 0)
                throw Failure("getsockopt(XDP_STATISTICS)");
            return new XdpSocketStatistics(raw.RxDropped, raw.RxInvalidDescriptors, raw.RxRingFull, raw.RxFillRingEmpty);
        }
        finally
        {
            if (held) _socket.DangerousRelease();
        }
    }

    /// <summary>Closes the socket and unmaps the UMEM and rings (deferred while a Receive is running).</summary>
    public void Dispose()
    {
        _socket.Dispose();
        _memory.Dispose();
    }

    internal static BpfException Failure(string operation)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new BpfException(operation, errno, $"AF_XDP: {operation} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})");
    }
}
