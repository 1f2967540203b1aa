using System.Text;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

public sealed partial class BpfProgram
{
    private static readonly ProgramLoadOptions DefaultLoadOptions = new();

    /// <summary>
    /// Loads a program (BPF_PROG_LOAD): points its map references at <paramref name="maps"/> (by map name), passes
    /// BTF func/line info when <see cref="ProgramLoadOptions.Btf"/> is given (Linux 5.0), expected_attach_type only
    /// when the spec has one, and the spec's flags, license and kernel version. tp_btf, fentry, fexit, fmod_ret and
    /// lsm programs get their attach_btf_id from the kernel's BTF (the target their section names).
    /// </summary>
    /// <param name="spec">The program, as the object reader or a hand assembler produced it.</param>
    /// <param name="maps">Maps by the names the spec's <see cref="ProgramSpec.MapReferences"/> use.</param>
    /// <param name="options">BTF, log and naming options.</param>
    /// <exception cref="BpfVerifierException">The verifier rejected the program; the message carries its reason.</exception>
    /// <exception cref="BpfException">The kernel refused before verifying (e.g. EPERM, EINVAL for an unknown type).</exception>
    /// <exception cref="BpfNotSupportedException">The kernel cannot load the program's kind at all (e.g. fentry/fexit
    /// on a kernel that refuses BPF trampolines), or has no BTF to find its attach target in.</exception>
    /// <exception cref="KeyNotFoundException">A referenced map is missing from <paramref name="maps"/>.</exception>
    /// <exception cref="BpfCoreRelocationException">
    /// The spec still has CO-RE relocations, or the verifier reached an instruction poisoned because a relocation or
    /// weak kfunc could not be resolved for this kernel.
    /// </exception>
    public static unsafe BpfProgram Load(
        ProgramSpec spec, IReadOnlyDictionary<string, BpfMap>? maps = null, ProgramLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        options ??= DefaultLoadOptions;
        if (spec.Instructions.Length == 0) throw new ArgumentException($"program '{spec.Name}' has no instructions", nameof(spec));
        if (spec.CoreRelocations.Count > 0)
            // Loading the compiler's offsets would run with the wrong kernel layout and no error: refuse instead.
            throw new BpfCoreRelocationException(CoreFailureKind.NotApplied, spec.Name,
                $"program '{spec.Name}' has {spec.CoreRelocations.Count} CO-RE relocations that were not applied; load it " +
                "through BpfCollection, or apply a CoreRelocator to it first");
        if (spec.ExternReferences.Count > 0)
            throw new BpfCoreRelocationException(CoreFailureKind.NotApplied, spec.Name,
                $"program '{spec.Name}' uses kernel symbols ({string.Join(", ", spec.ExternReferences.Select(r => r.Name).Distinct())}) " +
                "that were not resolved; load it through BpfCollection");
        MemoryLimit.EnsureUnlimited();

        var instructions = MapRelocation.Apply(spec, maps);
        byte[] license = Encoding.ASCII.GetBytes(spec.License + "\0");
        var btf = options.Btf is { SupportsFuncInfo: true } usable ? usable : null;
        var funcInfo = btf is null ? [] : spec.FuncInfos.ConvertAll(f => new FuncInfoRecord { InsnOff = f.InstructionOffset, TypeId = f.TypeId }).ToArray();
        var lineInfo = btf is null ? [] : spec.LineInfos.ConvertAll(l => new LineInfoRecord
        {
            InsnOff = l.InstructionOffset, FileNameOff = l.FileNameOffset, LineOff = l.LineOffset, LineCol = l.PackedLineColumn,
        }).ToArray();

        using var target = options.AttachBtfId is null ? AttachBtfTarget.For(spec) : null;
        int fd;
        int errno;
        string? log;
        fixed (BpfInstruction* insns = instructions)
        fixed (byte* licensePointer = license)
        fixed (FuncInfoRecord* funcPointer = funcInfo)
        fixed (LineInfoRecord* linePointer = lineInfo)
        {
            var attr = new ProgLoadAttr
            {
                ProgType = (uint)spec.Type,
                InsnCnt = (uint)instructions.Length,
                Insns = (ulong)insns,
                License = (ulong)licensePointer,
                KernVersion = spec.KernelVersion,
                ProgFlags = spec.Flags,
                ExpectedAttachType = spec.HasExpectedAttachType ? (uint)spec.ExpectedAttachType : 0,
                AttachBtfId = options.AttachBtfId ?? target?.TypeId ?? 0,
                AttachProgFd = (uint)(target?.ModuleBtf?.Value ?? 0),
            };
            ObjectName.Write(options.KernelName ?? spec.Name, attr.ProgName);
            if (btf is not null && (funcInfo.Length > 0 || lineInfo.Length > 0))
            {
                attr.ProgBtfFd = (uint)btf.Fd.Value;
                if (funcInfo.Length > 0)
                {
                    attr.FuncInfoRecSize = (uint)sizeof(FuncInfoRecord);
                    attr.FuncInfo = (ulong)funcPointer;
                    attr.FuncInfoCnt = (uint)funcInfo.Length;
                }
                if (lineInfo.Length > 0)
                {
                    attr.LineInfoRecSize = (uint)sizeof(LineInfoRecord);
                    attr.LineInfo = (ulong)linePointer;
                    attr.LineInfoCnt = (uint)lineInfo.Length;
                }
            }
            fd = ProgLoadWithLog.Load(ref attr, options.LogLevel, options.LogSize, out errno, out log);
        }
        if (fd < 0)
        {
            if (ProgramLoadFailure.TrampolinesRefused(spec, errno) is { } refused) throw refused;
            throw (Exception?)ProgramLoadFailure.PoisonReached(spec, errno, log) ?? ProgramLoadFailure.Create(spec, errno, log);
        }
        return new BpfProgram(new BpfFd(fd), spec.Name, spec.Type, options.LogLevel == VerifierLogLevel.None ? null : log);
    }
}
