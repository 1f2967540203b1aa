using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>A C source line the compiler attached to a translated instruction (bpf_line_info, Linux 5.0).</summary>
/// <param name="InstructionOffset">The first instruction the line applies to (in the translated program).</param>
/// <param name="File">Source file name as compiled.</param>
/// <param name="Source">The line's text.</param>
/// <param name="Line">Line number.</param>
/// <param name="Column">Column.</param>
public readonly record struct XlatedLine(int InstructionOffset, string File, string Source, uint Line, uint Column);

/// <summary>A function (the program or a sub-program) that starts at an instruction (bpf_func_info).</summary>
/// <param name="InstructionOffset">Its first instruction.</param>
/// <param name="Name">Its name.</param>
/// <param name="Prototype">Its C prototype, e.g. "int xdp_prog(struct xdp_md * ctx)".</param>
public readonly record struct XlatedFunction(int InstructionOffset, string Name, string Prototype);

/// <summary>
/// A loaded program as the kernel runs it: the verifier-translated instructions (xlated_prog_insns) with the line and
/// function info the kernel kept, resolved through the program's BTF. What `bpftool prog dump xlated` shows.
/// </summary>
public sealed class XlatedProgram
{
    private readonly ulong[] _jitedFunctions;

    private XlatedProgram(BpfInstruction[] instructions, IReadOnlyList<XlatedLine> lines, IReadOnlyList<XlatedFunction> functions, ulong[] jitedFunctions)
    {
        _jitedFunctions = jitedFunctions;
        Instructions = instructions;
        Lines = lines;
        Functions = functions;
    }

    /// <summary>The translated instructions (map fds replaced by map ids, helper calls by kernel offsets).</summary>
    public BpfInstruction[] Instructions { get; }

    /// <summary>Source lines in instruction order (empty when the program was loaded without BTF line info).</summary>
    public IReadOnlyList<XlatedLine> Lines { get; }

    /// <summary>Functions in instruction order (empty without BTF func info).</summary>
    public IReadOnlyList<XlatedFunction> Functions { get; }

    /// <summary>
    /// The instruction text in bpftool's notation; helper calls and JIT-compiled sub-programs are named from
    /// /proc/kallsyms. See <see cref="BpfDisassembler"/>.
    /// </summary>
    public string Disassemble(int index, out int slots) => BpfDisassembler.Format(Instructions, index, CallTarget, out slots);

    private string? CallTarget(BpfInstruction insn)
    {
        switch (insn.SourceRegister)
        {
            case 0:
                // Like the kernel's disassembler: a small immediate is still a helper id (tail calls stay untranslated).
                string? helper = Features.BpfHelperNames.NameOf(insn.Immediate) ?? KernelSymbols.HelperAt(insn.Immediate);
                return helper is null ? null : $"{helper}#{insn.Immediate}";
            case 2:
                return $"kernel-function#{insn.Immediate}";
            case 1 when _jitedFunctions.Length > 0:
                // After JIT the kernel keeps the pc-relative target in off and the sub-program's index in imm.
                string relative = insn.Offset >= 0 ? $"pc+{insn.Offset}" : $"pc{insn.Offset}";
                if ((uint)insn.Immediate >= (uint)_jitedFunctions.Length) return relative;
                ulong address = _jitedFunctions[insn.Immediate];
                return KernelSymbols.At(address) is { } name ? $"{relative}#{name}" : $"{relative}#0x{address:x}";
            default:
                return null;
        }
    }

    /// <summary>Reads the translated program behind <paramref name="fd"/> (needs CAP_SYS_ADMIN or CAP_BPF + CAP_PERFMON).</summary>
    /// <exception cref="BpfException">The kernel refused (e.g. EPERM when the caller may not read program code).</exception>
    public static unsafe XlatedProgram Read(BpfFd fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var counts = default(ProgInfoStruct);
        ObjectInfo.Read(fd, ref counts);
        if (counts.XlatedProgLen == 0)
            throw new BpfException("BPF_OBJ_GET_INFO_BY_FD", Libc.EPERM, $"program {counts.Id}: the kernel gave no translated instructions (not allowed to read them)");
        var instructions = new BpfInstruction[counts.XlatedProgLen / sizeof(BpfInstruction)];
        // Records are read with the kernel's record sizes, then only their leading fields are used.
        uint lineSize = Math.Max(counts.LineInfoRecSize, (uint)sizeof(LineInfoRecord));
        uint funcSize = Math.Max(counts.FuncInfoRecSize, (uint)sizeof(FuncInfoRecord));
        var lineBytes = new byte[counts.NrLineInfo * lineSize];
        var jited = new ulong[counts.NrJitedKsyms];
        var funcBytes = new byte[counts.NrFuncInfo * funcSize];
        fixed (BpfInstruction* insns = instructions)
        fixed (byte* lines = lineBytes)
        fixed (byte* funcs = funcBytes)
        fixed (ulong* ksyms = jited)
        {
            var second = new ProgInfoStruct
            {
                XlatedProgLen = (uint)(instructions.Length * sizeof(BpfInstruction)),
                XlatedProgInsns = (ulong)insns,
                NrLineInfo = counts.NrLineInfo,
                LineInfoRecSize = lineSize,
                LineInfo = counts.NrLineInfo == 0 ? 0 : (ulong)lines,
                NrFuncInfo = counts.NrFuncInfo,
                FuncInfoRecSize = funcSize,
                FuncInfo = counts.NrFuncInfo == 0 ? 0 : (ulong)funcs,
                NrJitedKsyms = (uint)jited.Length,
                JitedKsyms = jited.Length == 0 ? 0 : (ulong)ksyms,
            };
            ObjectInfo.Read(fd, ref second);
        }
        var btf = counts.BtfId == 0 || (counts.NrLineInfo == 0 && counts.NrFuncInfo == 0) ? null : ProgramBtf(counts.BtfId);
        return new XlatedProgram(instructions, ReadLines(lineBytes, lineSize, btf), ReadFunctions(funcBytes, funcSize, btf), jited);
    }

    private static BtfSpec? ProgramBtf(uint id)
    {
        try
        {
            return BpfBtfInfo.ReadSpec(id);
        }
        catch (BpfObjectException)
        {
            return null; // the instructions are still worth showing without source
        }
    }

    private static List<XlatedLine> ReadLines(byte[] bytes, uint size, BtfSpec? btf)
    {
        var lines = new List<XlatedLine>();
        if (btf is null) return lines;
        for (int at = 0; at + size <= bytes.Length; at += (int)size)
        {
            var record = System.Runtime.InteropServices.MemoryMarshal.Read<LineInfoRecord>(bytes.AsSpan(at));
            lines.Add(new XlatedLine((int)record.InsnOff, btf.StringAt(record.FileNameOff) ?? "", btf.StringAt(record.LineOff) ?? "",
                record.LineCol >> 10, record.LineCol & 0x3ff));
        }
        return lines;
    }

    private static List<XlatedFunction> ReadFunctions(byte[] bytes, uint size, BtfSpec? btf)
    {
        var functions = new List<XlatedFunction>();
        if (btf is null) return functions;
        for (int at = 0; at + size <= bytes.Length; at += (int)size)
        {
            var record = System.Runtime.InteropServices.MemoryMarshal.Read<FuncInfoRecord>(bytes.AsSpan(at));
            var function = btf.TypeById(record.TypeId);
            if (function is null) continue;
            functions.Add(new XlatedFunction((int)record.InsnOff, function.Name, Prototype(btf, function)));
        }
        return functions;
    }

    /// <summary>"int name(struct xdp_md * ctx)", the way bpftool prints a FUNC.</summary>
    private static string Prototype(BtfSpec btf, BtfType function)
    {
        var proto = btf.TypeById(function.ReferencedTypeId);
        if (proto is null) return function.Name;
        var parameters = proto.Parameters.Select(p => p.TypeId == 0 ? "..." : $"{btf.TypeName(p.TypeId)} {p.Name}".TrimEnd());
        return $"{btf.TypeName(proto.ReferencedTypeId)} {function.Name}({string.Join(", ", parameters)})";
    }
}
