using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// A program loaded into the kernel. Owns its fd: disposing drops this process's reference, and the kernel frees
/// the program once nothing else (a pin, an attachment, a prog-array slot) holds it.
/// </summary>
public sealed partial class BpfProgram : IDisposable
{
    private BpfProgramInfo? _identity;

    internal BpfProgram(BpfFd fd, string name, BpfProgramType type, string? verifierLog)
    {
        Fd = fd;
        Name = name;
        Type = type;
        VerifierLog = verifierLog;
    }

    /// <summary>The program's fd.</summary>
    public BpfFd Fd { get; }

    /// <summary>The name it was loaded or found under (the spec's name, or the kernel's 15-character name).</summary>
    public string Name { get; }

    /// <summary>Program type.</summary>
    public BpfProgramType Type { get; }

    /// <summary>The verifier's log of a successful load, when one was requested (<see cref="ProgramLoadOptions.LogLevel"/>).</summary>
    public string? VerifierLog { get; }

    /// <summary>The kernel's id for the program (what bpftool prog shows). Linux 4.13.</summary>
    public uint Id => Identity.Id;

    /// <summary>The program's tag: a hash of its instructions as 16 hex digits, as bpftool prints it. Linux 4.13.</summary>
    public string Tag => Identity.Tag;

    /// <summary>The kernel's current view of the program (run time and count, map ids, ...), read afresh.</summary>
    public BpfProgramInfo GetInfo() => BpfProgramInfo.FromFd(Fd);

    // Id, tag, type and name never change, so the first info read answers them for good.
    private BpfProgramInfo Identity => _identity ??= GetInfo();

    /// <summary>Closes this process's reference to the program.</summary>
    public void Dispose() => Fd.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Type})";
}
