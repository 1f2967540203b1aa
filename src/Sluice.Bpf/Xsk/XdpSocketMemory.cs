using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>
/// The mappings of an <see cref="XdpSocket"/>: the UMEM, the fill ring and the RX ring. One SafeHandle so that
/// Dispose defers the munmaps until an in-flight Receive has released its reference.
/// </summary>
internal sealed unsafe class XdpSocketMemory : SafeHandle
{
    private static readonly nint MapFailed = -1;
    private nuint _umemLength;
    private byte* _fillMapping;
    private nuint _fillLength;
    private byte* _rxMapping;
    private nuint _rxLength;

    internal XdpSocketMemory() : base(0, ownsHandle: true)
    {
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    internal byte* Umem => (byte*)handle;

    internal uint* FillProducer { get; private set; }
    internal uint* FillConsumer { get; private set; }
    internal ulong* FillRing { get; private set; }
    internal uint* RxProducer { get; private set; }
    internal uint* RxConsumer { get; private set; }
    internal XdpDesc* RxRing { get; private set; }

    /// <summary>Anonymous, page-aligned UMEM of <paramref name="length"/> bytes.</summary>
    internal void MapUmem(nuint length)
    {
        void* area = Libc.Mmap(null, length, Libc.PROT_READ | Libc.PROT_WRITE,
            Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_POPULATE, -1, 0);
        if ((nint)area == MapFailed) throw XdpSocket.Failure("mmap (UMEM)");
        _umemLength = length;
        SetHandle((nint)area);
    }

    internal void MapFill(int fd, in XdpRingOffset offsets, uint entries)
    {
        _fillLength = (nuint)(offsets.Descriptors + (ulong)entries * sizeof(ulong));
        _fillMapping = MapRing(fd, _fillLength, Libc.XDP_UMEM_PGOFF_FILL_RING, "fill ring");
        FillProducer = (uint*)(_fillMapping + offsets.Producer);
        FillConsumer = (uint*)(_fillMapping + offsets.Consumer);
        FillRing = (ulong*)(_fillMapping + offsets.Descriptors);
    }

    internal void MapRx(int fd, in XdpRingOffset offsets, uint entries)
    {
        _rxLength = (nuint)(offsets.Descriptors + (ulong)entries * (ulong)sizeof(XdpDesc));
        _rxMapping = MapRing(fd, _rxLength, Libc.XDP_PGOFF_RX_RING, "RX ring");
        RxProducer = (uint*)(_rxMapping + offsets.Producer);
        RxConsumer = (uint*)(_rxMapping + offsets.Consumer);
        RxRing = (XdpDesc*)(_rxMapping + offsets.Descriptors);
    }

    private static byte* MapRing(int fd, nuint length, long offset, string what)
    {
        void* ring = Libc.Mmap(null, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, offset);
        if ((nint)ring == MapFailed) throw XdpSocket.Failure($"mmap ({what})");
        return (byte*)ring;
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        bool ok = true;
        if (_rxMapping != null) ok &= Libc.Munmap(_rxMapping, _rxLength) == 0;
        if (_fillMapping != null) ok &= Libc.Munmap(_fillMapping, _fillLength) == 0;
        ok &= Libc.Munmap((void*)handle, _umemLength) == 0;
        return ok;
    }
}

/// <summary>The AF_XDP socket descriptor (what an XSKMAP takes).</summary>
internal sealed class XdpSocketHandle : SafeHandle
{
    internal XdpSocketHandle(int fd) : base(-1, ownsHandle: true) => SetHandle(fd);

    /// <inheritdoc />
    public override bool IsInvalid => handle < 0;

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
