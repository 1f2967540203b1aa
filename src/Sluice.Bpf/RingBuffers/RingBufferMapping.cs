using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>
/// Everything a <see cref="BpfRingBuffer"/> holds in the kernel: the two mappings of the ring, an epoll set and the
/// eventfd that wakes it. One SafeHandle so that Dispose defers the munmap until the last in-flight Poll/Consume
/// has released its reference: unmapping under a reader would crash the process, not just fail a call.
/// </summary>
internal sealed unsafe class RingBufferMapping : SafeHandle
{
    /// <summary>epoll_event.data of the ring's map fd.</summary>
    internal const ulong RingToken = 0;

    /// <summary>epoll_event.data of the wake-up eventfd.</summary>
    internal const ulong WakeToken = 1;

    private const int EventFdNonBlocking = 0x800; // EFD_NONBLOCK (= O_NONBLOCK)
    private static readonly nint MapFailed = -1;

    private byte* _producerRegion;
    private nuint _producerRegionLength;
    private nuint _consumerPageLength;
    private int _epollFd = -1;
    private int _wakeFd = -1;

    private RingBufferMapping() : base(0, ownsHandle: true)
    {
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <summary>The consumer page: consumer_pos at offset 0, written by us.</summary>
    internal ulong* ConsumerPosition => (ulong*)handle;

    /// <summary>The producer page: producer_pos at offset 0, written by the kernel.</summary>
    internal ulong* ProducerPosition => (ulong*)_producerRegion;

    /// <summary>The data area, mapped twice back to back so a record that wraps is contiguous.</summary>
    internal byte* Data { get; private set; }

    internal int EpollFd => _epollFd;

    internal int WakeFd => _wakeFd;

    /// <summary>Maps the ring of <paramref name="mapFd"/> (data size <paramref name="size"/>) and sets up its epoll set.</summary>
    internal static RingBufferMapping Create(int mapFd, ulong size, string mapName)
    {
        var mapping = new RingBufferMapping();
        try
        {
            mapping.Map(mapFd, size, mapName);
            mapping.CreateEpollSet(mapFd, mapName);
            return mapping;
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    private void Map(int mapFd, ulong size, string mapName)
    {
        nuint pageSize = (nuint)Libc.Sysconf(Libc.SC_PAGESIZE);
        // Layout of the map's mmap space: [consumer page][producer page][data][data again].
        // The consumer page is the only part user space may write.
        void* consumer = Libc.Mmap(null, pageSize, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, mapFd, 0);
        if ((nint)consumer == MapFailed) throw Failure("mmap of the consumer page", mapName);
        _consumerPageLength = pageSize;
        SetHandle((nint)consumer);

        nuint producerLength = pageSize + (nuint)(2 * size);
        void* producer = Libc.Mmap(null, producerLength, Libc.PROT_READ, Libc.MAP_SHARED, mapFd, (long)pageSize);
        if ((nint)producer == MapFailed) throw Failure("mmap of the producer page and data", mapName);
        _producerRegion = (byte*)producer;
        _producerRegionLength = producerLength;
        Data = _producerRegion + pageSize;
    }

    private void CreateEpollSet(int mapFd, string mapName)
    {
        _epollFd = Libc.EpollCreate1(Libc.O_CLOEXEC);
        if (_epollFd < 0) throw Failure("epoll_create1", mapName);
        _wakeFd = Libc.EventFd(0, Libc.O_CLOEXEC | EventFdNonBlocking);
        if (_wakeFd < 0) throw Failure("eventfd", mapName);
        // Level-triggered: the ring's poll reports EPOLLIN whenever unconsumed data exists, so a wake-up that
        // raced with our last consume is never lost.
        var ring = new EpollEvent { Events = Libc.EPOLLIN, Data = RingToken };
        if (Libc.EpollCtl(_epollFd, Libc.EPOLL_CTL_ADD, mapFd, &ring) < 0) throw Failure("epoll_ctl (ring)", mapName);
        var wake = new EpollEvent { Events = Libc.EPOLLIN, Data = WakeToken };
        if (Libc.EpollCtl(_epollFd, Libc.EPOLL_CTL_ADD, _wakeFd, &wake) < 0) throw Failure("epoll_ctl (eventfd)", mapName);
    }

    /// <summary>Adds one to the eventfd, waking a thread blocked in epoll_wait on this set.</summary>
    internal void SignalWake()
    {
        ulong one = 1;
        // EAGAIN means the counter is saturated, i.e. already signalled; nothing else can fail here.
        _ = Libc.Write(_wakeFd, &one, sizeof(ulong));
    }

    /// <summary>Resets the eventfd so the next wait blocks again.</summary>
    internal void DrainWake()
    {
        ulong value;
        _ = Libc.Read(_wakeFd, &value, sizeof(ulong));
    }

    private static BpfException Failure(string operation, string mapName)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new BpfException(operation, errno,
            $"ring buffer '{mapName}': {operation} failed: {ErrnoNames.Name(errno)} ({Libc.ErrorText(errno)})");
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        bool ok = true;
        if (_producerRegion != null) ok &= Libc.Munmap(_producerRegion, _producerRegionLength) == 0;
        ok &= Libc.Munmap((void*)handle, _consumerPageLength) == 0;
        if (_wakeFd >= 0) ok &= Libc.Close(_wakeFd) == 0;
        if (_epollFd >= 0) ok &= Libc.Close(_epollFd) == 0;
        return ok;
    }
}
