namespace Sluice.Bpf.Object;

/// <summary>
/// The outcome of one CO-RE relocation against a target BTF: the value the compiler assumed and the target's, or
/// that nothing in the target matches (<see cref="IsPoisoned"/>: the instruction becomes an invalid helper call).
/// </summary>
public sealed record CoreResolution
{
    /// <summary>The relocation.</summary>
    public required CoreRelocation Relocation { get; init; }

    /// <summary>What it reads, from the object's types: "struct task_struct.pid", "enum e::VALUE", "struct foo".</summary>
    public required string Description { get; init; }

    /// <summary>The value for the object's own types (what the compiler put in the instruction).</summary>
    public ulong LocalValue { get; init; }

    /// <summary>The value for the target's types; 0 for "exists" kinds with no match.</summary>
    public ulong TargetValue { get; init; }

    /// <summary>True when the target has nothing that matches and the kind needs a value (offsets, sizes, ids, enum values).</summary>
    public bool IsPoisoned { get; init; }

    /// <summary>The matched target type's id (0 when none matched).</summary>
    public uint TargetTypeId { get; init; }

    /// <summary>Whether the instruction must hold <see cref="LocalValue"/> before patching (false for bitfield offsets).</summary>
    internal bool Validate { get; init; } = true;

    /// <summary>Byte sizes of the field locally and in the target (0 when not a plain field offset), for load/store widths.</summary>
    internal uint LocalFieldSize { get; init; }

    internal uint TargetFieldSize { get; init; }

    /// <summary>True when the field sizes differ in a way a load/store cannot be adjusted for (not pointers or unsigned ints).</summary>
    internal bool CannotAdjustSize { get; init; }
}
