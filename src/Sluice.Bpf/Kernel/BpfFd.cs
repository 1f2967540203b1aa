using System.Runtime.InteropServices;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>An owned file descriptor for a kernel BPF object (map, program, link, BTF); closing it drops the reference.</summary>
public sealed class BpfFd : SafeHandle
{
    /// <summary>Takes ownership of <paramref name="fd"/>.</summary>
    public BpfFd(int fd) : base(-1, ownsHandle: true) => SetHandle(fd);

    /// <summary>The raw descriptor. Valid only while this object is alive and not disposed.</summary>
    public int Value
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return (int)handle;
        }
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle < 0;

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
