using System.Globalization;
using Sluice.Bpf.Object.Core;
using static Sluice.Bpf.Object.Core.CoreTypeCompatibility;

namespace Sluice.Bpf.Object;

/// <summary>
/// Applies CO-RE relocations (libbpf's algorithm) of programs from one object against target BTF, usually the running
/// kernel's: candidates are target types with the same essential name (without <c>___flavour</c>) and a compatible kind,
/// searched in the first target BTF that has any (vmlinux before modules); the access path is walked in each and every
/// candidate that has it must give the same answer. An unresolvable relocation poisons its instruction (a call to the
/// non-existent helper 0xbad2310), so only a reachable use fails, at verification. Pure: no kernel involved.
/// </summary>
public sealed class CoreRelocator
{
    /// <summary>The helper id a poisoned CO-RE instruction calls ("bad relo"); the verifier says "invalid func unknown#195896080".</summary>
    public const int PoisonHelperId = 0xbad2310;

    private readonly BtfSpec _local;
    private readonly IEnumerable<BtfSpec> _targets;
    private readonly Dictionary<uint, (BtfSpec Btf, BtfType[] Types)?> _candidates = [];

    /// <summary>
    /// A relocator for programs of an object with BTF <paramref name="localBtf"/>, against <paramref name="targets"/> in
    /// search order (enumerated lazily, and only as far as needed: module BTF is read only for types vmlinux lacks).
    /// </summary>
    public CoreRelocator(BtfSpec localBtf, IEnumerable<BtfSpec> targets)
    {
        ArgumentNullException.ThrowIfNull(localBtf);
        ArgumentNullException.ThrowIfNull(targets);
        _local = localBtf;
        _targets = targets;
    }

    /// <summary>A relocator against one target BTF.</summary>
    public CoreRelocator(BtfSpec localBtf, BtfSpec target) : this(localBtf, [target]) { }

    /// <summary>
    /// A copy of <paramref name="program"/> with every CO-RE relocation applied: its <see cref="ProgramSpec.CoreRelocations"/>
    /// is empty and <see cref="ProgramSpec.PoisonedInstructions"/> lists what could not be resolved.
    /// </summary>
    /// <exception cref="BpfCoreRelocationException">A relocation is malformed, ambiguous, or its instruction does not fit.</exception>
    public ProgramSpec Apply(ProgramSpec program) => Apply(program, out _);

    /// <summary><see cref="Apply(ProgramSpec)"/>, also returning each relocation's resolution.</summary>
    /// <exception cref="BpfCoreRelocationException">A relocation is malformed, ambiguous, or its instruction does not fit.</exception>
    public ProgramSpec Apply(ProgramSpec program, out IReadOnlyList<CoreResolution> resolutions)
    {
        ArgumentNullException.ThrowIfNull(program);
        var copy = program.Clone();
        var list = new List<CoreResolution>(program.CoreRelocations.Count);
        foreach (var relocation in program.CoreRelocations)
        {
            var resolution = Resolve(program, relocation);
            list.Add(resolution);
            CoreInstructionPatcher.Patch(copy, resolution);
        }
        copy.CoreRelocations.Clear();
        resolutions = list;
        return copy;
    }

    /// <summary>Resolves one relocation of <paramref name="program"/> without patching anything.</summary>
    /// <exception cref="BpfCoreRelocationException">The relocation is malformed or ambiguous.</exception>
    public CoreResolution Resolve(ProgramSpec program, CoreRelocation relocation)
    {
        ArgumentNullException.ThrowIfNull(program);
        CoreAccessSpec local;
        try
        {
            local = CoreAccessSpec.ParseLocal(_local, relocation.TypeId, relocation.AccessString, relocation.Kind);
        }
        catch (FormatException error)
        {
            throw Failure(CoreFailureKind.InvalidRelocation, program, relocation, null, error.Message);
        }
        string description = local.Describe();
        var localValue = Calculate(program, relocation, local, local, description);

        if (relocation.Kind == CoreRelocationKind.TypeIdLocal)
            return new CoreResolution
            {
                Relocation = relocation, Description = description, LocalValue = relocation.TypeId, TargetValue = relocation.TypeId,
                TargetTypeId = relocation.TypeId,
            };

        CoreResolution? chosen = null;
        if (Candidates(program, relocation, description) is { } candidates)
        {
            foreach (var candidate in candidates.Types)
            {
                if (local.Match(candidates.Btf, candidate.Id) is not { } target) continue;
                var value = Calculate(program, relocation, local, target, description);
                var resolution = Combine(relocation, description, localValue, value, candidate.Id);
                if (chosen is null) chosen = resolution;
                else if (chosen.TargetValue != resolution.TargetValue || chosen.IsPoisoned != resolution.IsPoisoned)
                    throw Failure(CoreFailureKind.Ambiguous, program, relocation, description,
                        $"the target has several matching types that disagree ([{chosen.TargetTypeId}] gives {chosen.TargetValue}, [{candidate.Id}] gives {resolution.TargetValue})");
            }
        }
        return chosen ?? Combine(relocation, description, localValue, Calculate(program, relocation, local, null, description), 0);
    }

    private static CoreResolution Combine(CoreRelocation relocation, string description, CoreValue local, CoreValue target, uint targetTypeId)
    {
        bool cannotAdjust = false;
        if (local.FieldSize != target.FieldSize && !target.Poisoned)
            cannotAdjust = !(local.FieldKind == BtfKind.Pointer && target.FieldKind == BtfKind.Pointer) &&
                !(local.FieldKind == BtfKind.Int && target.FieldKind == BtfKind.Int && !local.FieldSigned && !target.FieldSigned);
        return new CoreResolution
        {
            Relocation = relocation,
            Description = description,
            LocalValue = local.Value,
            TargetValue = target.Value,
            IsPoisoned = target.Poisoned,
            TargetTypeId = targetTypeId,
            Validate = local.Validate,
            LocalFieldSize = local.FieldSize,
            TargetFieldSize = target.FieldSize,
            CannotAdjustSize = cannotAdjust,
        };
    }

    private (BtfSpec Btf, BtfType[] Types)? Candidates(ProgramSpec program, CoreRelocation relocation, string description)
    {
        if (_candidates.TryGetValue(relocation.TypeId, out var cached)) return cached;
        var localType = _local.TypeById(relocation.TypeId);
        if (localType is null || localType.Name.Length == 0)
            throw Failure(CoreFailureKind.InvalidRelocation, program, relocation, description,
                "the relocated type is anonymous, so it has no name to look for in the target");
        string essential = BtfSpec.EssentialName(localType.Name);
        (BtfSpec, BtfType[])? found = null;
        foreach (var target in _targets)
        {
            var types = target.TypesWithEssentialName(essential).Where(t => KindsCompatible(localType, t)).ToArray();
            if (types.Length == 0) continue;
            found = (target, types);
            break;
        }
        _candidates[relocation.TypeId] = found;
        return found;
    }

    /// <summary>A relocation's value for one side; <paramref name="spec"/> null means "no match in the target".</summary>
    private CoreValue Calculate(ProgramSpec program, CoreRelocation relocation, CoreAccessSpec local, CoreAccessSpec? spec, string description)
    {
        var kind = relocation.Kind;
        if (CoreAccessSpec.IsEnumBased(kind))
        {
            if (spec is null) return kind == CoreRelocationKind.EnumValueExists ? CoreValue.Of(0) : CoreValue.Poison;
            if (kind == CoreRelocationKind.EnumValueExists) return CoreValue.Of(1);
            var accessor = spec.Accessors[0];
            return CoreValue.Of((ulong)spec.Btf.TypeById(accessor.TypeId)!.EnumValues[accessor.Index].Value);
        }
        if (!CoreAccessSpec.IsFieldBased(kind))
        {
            if (spec is null)
                return kind is CoreRelocationKind.TypeExists or CoreRelocationKind.TypeMatches ? CoreValue.Of(0) : CoreValue.Poison;
            return kind switch
            {
                CoreRelocationKind.TypeIdLocal or CoreRelocationKind.TypeIdTarget => CoreValue.Of(spec.RootTypeId),
                CoreRelocationKind.TypeSize => CoreValue.Of(SizeOf(spec, spec.RootTypeId)),
                CoreRelocationKind.TypeExists or CoreRelocationKind.TypeMatches => CoreValue.Of(1),
                _ => throw Failure(CoreFailureKind.InvalidRelocation, program, relocation, description, $"unknown relocation kind {(uint)kind}"),
            };
        }

        if (kind == CoreRelocationKind.FieldExists) return CoreValue.Of(spec is null ? 0u : 1u);
        if (spec is null) return CoreValue.Poison;
        var last = spec.Accessors[^1];
        if (last.Name is null)
        {
            // The root or an array element: only its offset and size mean anything.
            uint size = SizeOf(spec, last.TypeId);
            var elementKind = spec.Btf.TypeById(last.TypeId)!;
            return kind switch
            {
                CoreRelocationKind.FieldByteOffset => new CoreValue((ulong)(spec.BitOffset / 8), size, elementKind.Kind, IsSigned(elementKind)),
                CoreRelocationKind.FieldByteSize => CoreValue.Of(size),
                _ => throw Failure(CoreFailureKind.InvalidRelocation, program, relocation, description,
                    $"a {Words(kind)} relocation must name a struct or union member, not an array element"),
            };
        }

        var member = spec.Btf.TypeById(last.TypeId)!.Members[last.Index];
        var (fieldTypeId, fieldType) = Skip(spec.Btf, member.TypeId);
        if (fieldType is null)
            throw Failure(CoreFailureKind.InvalidRelocation, program, relocation, description, "the field has type void");
        long bitOffset = spec.BitOffset;
        long bitSize = member.BitfieldSize;
        bool bitfield = bitSize > 0;
        long byteSize, byteOffset;
        if (bitfield)
        {
            byteSize = fieldType.Size;
            if (byteSize == 0) throw Failure(CoreFailureKind.InvalidRelocation, program, relocation, description, "bitfield of a type without size");
            byteOffset = bitOffset / 8 / byteSize * byteSize;
            // The smallest aligned load that covers the whole bitfield.
            while (bitOffset + bitSize - byteOffset * 8 > byteSize * 8)
            {
                if (byteSize >= 8)
                    throw Failure(CoreFailureKind.InvalidRelocation, program, relocation, description,
                        "the bitfield cannot be read with one 64-bit load");
                byteSize *= 2;
                byteOffset = bitOffset / 8 / byteSize * byteSize;
            }
        }
        else
        {
            byteSize = SizeOf(spec, fieldTypeId);
            byteOffset = bitOffset / 8;
            bitSize = byteSize * 8;
        }
        bool signed = IsSigned(fieldType);
        return kind switch
        {
            CoreRelocationKind.FieldByteOffset => bitfield
                ? new CoreValue((ulong)byteOffset, 0, BtfKind.Void, false) { Validate = false }
                : new CoreValue((ulong)byteOffset, (uint)byteSize, fieldType.Kind, signed),
            CoreRelocationKind.FieldByteSize => CoreValue.Of((ulong)byteSize) with { Validate = !bitfield },
            CoreRelocationKind.FieldSigned => CoreValue.Of(signed ? 1u : 0u) with { Validate = !bitfield },
            CoreRelocationKind.FieldLShiftU64 => CoreValue.Of((ulong)(64 - (bitOffset + bitSize - byteOffset * 8))) with { Validate = !bitfield },
            CoreRelocationKind.FieldRShiftU64 => CoreValue.Of((ulong)(64 - bitSize)),
            _ => throw Failure(CoreFailureKind.InvalidRelocation, program, relocation, description, $"unknown relocation kind {(uint)kind}"),
        };

        uint SizeOf(CoreAccessSpec side, uint id) => side.Btf.TryGetSize(id, out uint size, out string? problem)
            ? size
            : throw Failure(CoreFailureKind.InvalidRelocation, program, relocation, description, problem!);
    }

    private static bool IsSigned(BtfType type) =>
        (IsEnum(type) && type.KindFlag) || (type.Kind == BtfKind.Int && (type.IntEncoding & 1) != 0);

    /// <summary>
    /// libbpf's CO-RE compatibility of a local type with a target type (kinds, int bit offsets, pointees, array elements,
    /// prototypes; struct and enum names are the caller's business). Used for ksym variable types and kfunc prototypes.
    /// </summary>
    public static bool AreCompatible(BtfSpec local, uint localTypeId, BtfSpec target, uint targetTypeId)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(target);
        return TypesCompatible(local, localTypeId, target, targetTypeId);
    }

    /// <summary>"field byte offset", "enum value exists", ...: a relocation kind in words.</summary>
    public static string Words(CoreRelocationKind kind) => kind switch
    {
        CoreRelocationKind.FieldByteOffset => "field byte offset",
        CoreRelocationKind.FieldByteSize => "field byte size",
        CoreRelocationKind.FieldExists => "field exists",
        CoreRelocationKind.FieldSigned => "field signed",
        CoreRelocationKind.FieldLShiftU64 => "field left shift",
        CoreRelocationKind.FieldRShiftU64 => "field right shift",
        CoreRelocationKind.TypeIdLocal => "local type id",
        CoreRelocationKind.TypeIdTarget => "target type id",
        CoreRelocationKind.TypeExists => "type exists",
        CoreRelocationKind.TypeSize => "type size",
        CoreRelocationKind.EnumValueExists => "enum value exists",
        CoreRelocationKind.EnumValueValue => "enum value",
        CoreRelocationKind.TypeMatches => "type matches",
        _ => "kind " + ((uint)kind).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>"program 'p' (file.bpf.c:12)": the program and the C line of instruction <paramref name="instruction"/>, when line info has it.</summary>
    public static string Where(ProgramSpec program, int instruction)
    {
        ArgumentNullException.ThrowIfNull(program);
        BtfLineInfo? line = null;
        foreach (var info in program.LineInfos)
        {
            if (info.InstructionOffset > instruction) break;
            line = info;
        }
        return line is { } l && l.FileName.Length > 0
            ? $"program '{program.Name}' ({Path.GetFileName(l.FileName)}:{l.LineNumber}: {l.SourceLine.Trim()})"
            : $"program '{program.Name}' (instruction {instruction})";
    }

    internal static BpfCoreRelocationException Failure(CoreFailureKind kind, ProgramSpec program, CoreRelocation relocation,
        string? description, string problem) =>
        new(kind, program.Name,
            $"{Where(program, relocation.InstructionIndex)}: CO-RE {Words(relocation.Kind)} relocation of " +
            $"{description ?? $"type [{relocation.TypeId}] access '{relocation.AccessString}'"}: {problem}");

    /// <summary>One side's value plus what load/store size adjustment needs.</summary>
    private readonly record struct CoreValue(ulong Value, uint FieldSize, BtfKind FieldKind, bool FieldSigned)
    {
        public bool Poisoned { get; init; }
        public bool Validate { get; init; } = true;

        public static CoreValue Of(ulong value) => new(value, 0, BtfKind.Void, false);

        public static CoreValue Poison => new(0, 0, BtfKind.Void, false) { Poisoned = true };
    }
}
