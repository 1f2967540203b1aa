namespace Sluice.Bpf;

/// <summary>
/// Object BTF loaded into the kernel (BPF_BTF_LOAD, Linux 4.18). Owns its fd; programs and maps that were given
/// it keep their own kernel references, so it may be disposed after them.
/// </summary>
public sealed partial class BpfBtf : IDisposable
{
    internal BpfBtf(BpfFd fd, bool supportsFuncInfo)
    {
        Fd = fd;
        SupportsFuncInfo = supportsFuncInfo;
    }

    /// <summary>The BTF object's fd.</summary>
    public BpfFd Fd { get; }

    /// <summary>
    /// True when the loaded BTF still has its FUNC types (kernels before 5.0 get them rewritten), so programs may
    /// pass func_info and line_info that refer to it.
    /// </summary>
    public bool SupportsFuncInfo { get; }

    /// <summary>Closes this process's reference.</summary>
    public void Dispose() => Fd.Dispose();
}
