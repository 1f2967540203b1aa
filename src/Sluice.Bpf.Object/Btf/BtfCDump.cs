namespace Sluice.Bpf.Object;

/// <summary>
/// Writes BTF as a compilable C header, like `bpftool btf dump ... format c` (the vmlinux.h of CO-RE programs):
/// every named struct, union, enum and typedef, in an order where each definition comes after the definitions it
/// embeds, with forward declarations where a type is only reached through a pointer (so cycles such as
/// <c>struct list_head</c> resolve). Anonymous structs, unions and enums are written inline where they are used;
/// bitfields, padding the compiler would not add by itself, and packed layouts are written so the compiled layout
/// matches the BTF. Distinct types that share a name get libbpf's "___2", "___3" suffixes.
/// </summary>
/// <remarks>
/// The algorithm is libbpf's btf_dump (ordering by "strong" dependencies, i.e. embedding, and "weak" ones, through
/// pointers), reimplemented: the type graph is walked once per top-level type, and each type is ordered and
/// emitted at most once.
/// </remarks>
public sealed partial class BtfCDump
{
    private enum State : byte { None, InProgress, Done }

    private readonly BtfSpec _btf;
    private readonly TextWriter _out;
    private readonly State[] _order;
    private readonly State[] _emit;
    private readonly bool[] _forwardEmitted;
    private readonly string?[] _names;
    private readonly bool[] _referenced;
    private readonly Dictionary<string, int> _typeNameUses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _identifierUses = new(StringComparer.Ordinal);
    private readonly List<uint> _queue = [];

    private BtfCDump(BtfSpec btf, TextWriter output)
    {
        _btf = btf;
        _out = output;
        int count = btf.Types.Count;
        _order = new State[count];
        _emit = new State[count];
        _forwardEmitted = new bool[count];
        _names = new string?[count];
        _referenced = Referenced(btf);
    }

    /// <summary>Which types another type refers to (libbpf counts a prototype's parameters, not its return type).</summary>
    private static bool[] Referenced(BtfSpec btf)
    {
        var referenced = new bool[btf.Types.Count];
        void Mark(uint id)
        {
            if (id < (uint)referenced.Length) referenced[id] = true;
        }
        for (int id = 1; id < btf.Types.Count; id++)
        {
            var type = btf.Types[id];
            switch (type.Kind)
            {
                case BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.Pointer or BtfKind.Typedef or BtfKind.Function
                    or BtfKind.Variable or BtfKind.DeclarationTag or BtfKind.TypeTag:
                    Mark(type.ReferencedTypeId);
                    break;
                case BtfKind.Array:
                    Mark(type.Array!.Value.ElementTypeId);
                    Mark(type.Array!.Value.IndexTypeId);
                    break;
                case BtfKind.Struct or BtfKind.Union:
                    foreach (var member in type.Members) Mark(member.TypeId);
                    break;
                case BtfKind.FunctionProto:
                    foreach (var parameter in type.Parameters) Mark(parameter.TypeId);
                    break;
                case BtfKind.DataSection:
                    foreach (var variable in type.Variables) Mark(variable.TypeId);
                    break;
            }
        }
        return referenced;
    }

    /// <summary>
    /// Writes the whole header: an include guard, clang's preserve_access_index pragma (so CO-RE relocations are
    /// recorded for every struct access, as with bpftool's vmlinux.h), then the types of
    /// <paramref name="btf"/> from <paramref name="firstId"/> on (a split BTF's types reference its base freely).
    /// </summary>
    /// <exception cref="BpfObjectException">The BTF has a type cycle C cannot express (a struct embedding itself).</exception>
    public static void Write(BtfSpec btf, TextWriter output, uint firstId = 1)
    {
        ArgumentNullException.ThrowIfNull(btf);
        ArgumentNullException.ThrowIfNull(output);
        output.Write("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n");
        output.Write("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n");
        output.Write("#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n");
        var dump = new BtfCDump(btf, output);
        for (uint id = Math.Max(firstId, 1); id < (uint)btf.Types.Count; id++) dump.DumpType(id);
        output.Write("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n");
        output.Write("#endif /* __VMLINUX_H__ */\n");
    }

    private void DumpType(uint id)
    {
        _queue.Clear();
        Order(id, throughPointer: false);
        foreach (uint queued in _queue) Emit(queued, container: 0);
    }

    private BtfType TypeOf(uint id) => _btf.TypeById(id) ?? throw Broken(id);

    private BpfObjectException Broken(uint id) => new($"{_btf.ObjectName}: BTF type {id} does not exist (a broken reference)");

    /// <summary>
    /// Puts the named definitions <paramref name="id"/> needs (and itself, when it is one) into the queue, each after
    /// what it embeds. Returns whether the type is a "strong" one: a definition that must precede its users even
    /// through a pointer (a typedef of a struct can be forward-declared only as the struct).
    /// </summary>
    private bool Order(uint id, bool throughPointer)
    {
        if (id == 0) return true; // void is always there
        var type = TypeOf(id);
        switch (_order[id])
        {
            case State.Done:
                return true;
            case State.InProgress:
                // A named struct reached again through a pointer: a forward declaration breaks the cycle.
                if (type.Kind is BtfKind.Struct or BtfKind.Union && throughPointer && type.Name.Length > 0) return false;
                throw new BpfObjectException($"{_btf.ObjectName}: BTF type {id} ({type.Kind} '{type.Name}') contains itself, which C cannot express");
        }
        switch (type.Kind)
        {
            case BtfKind.Int or BtfKind.Float:
                _order[id] = State.Done;
                return false;
            case BtfKind.Pointer:
                bool pointee = Order(type.ReferencedTypeId, throughPointer: true);
                _order[id] = State.Done;
                return pointee;
            case BtfKind.Array:
                return Order(type.Array!.Value.ElementTypeId, throughPointer: false);
            case BtfKind.Struct or BtfKind.Union:
                if (throughPointer && type.Name.Length > 0) return false;
                _order[id] = State.InProgress;
                foreach (var member in type.Members) Order(member.TypeId, throughPointer: false);
                if (type.Name.Length > 0) _queue.Add(id);
                _order[id] = State.Done;
                return true;
            case BtfKind.Enum or BtfKind.Enum64 or BtfKind.Forward:
                // An anonymous enum nothing uses is a top-level declaration of constants, so it is written too.
                if (type.Name.Length > 0 || !_referenced[id]) _queue.Add(id);
                _order[id] = State.Done;
                return true;
            case BtfKind.Typedef:
                bool strong = Order(type.ReferencedTypeId, throughPointer);
                if (throughPointer && !strong) return false;
                _queue.Add(id);
                _order[id] = State.Done;
                return true;
            case BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag:
                return Order(type.ReferencedTypeId, throughPointer);
            case BtfKind.FunctionProto:
                bool any = Order(type.ReferencedTypeId, throughPointer);
                foreach (var parameter in type.Parameters) any |= Order(parameter.TypeId, throughPointer);
                return any;
            default: // FUNC, VAR, DATASEC, DECL_TAG describe no C type
                _order[id] = State.Done;
                return false;
        }
    }

    /// <summary>
    /// Writes <paramref name="id"/>'s definition at top level (<paramref name="container"/> 0), or, inside the
    /// definition of <paramref name="container"/>, whatever forward declarations its use there needs first.
    /// </summary>
    private void Emit(uint id, uint container)
    {
        if (id == 0 || _emit[id] == State.Done) return;
        var type = TypeOf(id);
        bool topLevel = container == 0;
        if (_emit[id] == State.InProgress)
        {
            if (_forwardEmitted[id]) return;
            if (type.Kind is BtfKind.Struct or BtfKind.Union)
            {
                if (id == container || type.Name.Length == 0) return; // a member pointing back at its own struct
                WriteStructForward(id, type);
                _out.Write(";\n\n");
                _forwardEmitted[id] = true;
            }
            else if (type.Kind == BtfKind.Typedef)
            {
                // Used through a pointer while its target is still being written: the typedef itself serves as the
                // forward declaration.
                if (!IsCompilerBuiltin(type))
                {
                    WriteTypedef(id, type, 0);
                    _out.Write(";\n\n");
                }
                _forwardEmitted[id] = true;
            }
            return;
        }

        switch (type.Kind)
        {
            case BtfKind.Int or BtfKind.Float:
                _emit[id] = State.Done;
                break;
            case BtfKind.Enum or BtfKind.Enum64:
                if (topLevel)
                {
                    WriteEnum(id, type, 0);
                    _out.Write(";\n\n");
                }
                _emit[id] = State.Done;
                break;
            case BtfKind.Pointer or BtfKind.Volatile or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag:
                Emit(type.ReferencedTypeId, container);
                break;
            case BtfKind.Array:
                Emit(type.Array!.Value.ElementTypeId, container);
                break;
            case BtfKind.Forward:
                WriteForwardKind(id, type);
                _out.Write(";\n\n");
                _emit[id] = State.Done;
                break;
            case BtfKind.Typedef:
                _emit[id] = State.InProgress;
                Emit(type.ReferencedTypeId, id);
                if (!_forwardEmitted[id] && !IsCompilerBuiltin(type))
                {
                    WriteTypedef(id, type, 0);
                    _out.Write(";\n\n");
                }
                _emit[id] = State.Done;
                break;
            case BtfKind.Struct or BtfKind.Union:
                _emit[id] = State.InProgress;
                if (topLevel || type.Name.Length == 0)
                {
                    // Its members are written in full here, so what they reference needs declaring first.
                    uint inner = type.Name.Length == 0 ? container : id;
                    foreach (var member in type.Members) Emit(member.TypeId, inner);
                }
                else if (!_forwardEmitted[id] && id != container)
                {
                    WriteStructForward(id, type);
                    _out.Write(";\n\n");
                    _forwardEmitted[id] = true;
                }
                if (topLevel)
                {
                    WriteStruct(id, type, 0);
                    _out.Write(";\n\n");
                    _emit[id] = State.Done;
                }
                else _emit[id] = State.None;
                break;
            case BtfKind.FunctionProto:
                Emit(type.ReferencedTypeId, container);
                foreach (var parameter in type.Parameters) Emit(parameter.TypeId, container);
                break;
        }
    }

    // __builtin_va_list is the compiler's own; redefining it breaks the build with another compiler.
    private static bool IsCompilerBuiltin(BtfType type) => type.Name == "__builtin_va_list";

    /// <summary>The C name of a struct, union, enum or forward declaration, made unique as libbpf does.</summary>
    private string TypeName(uint id) => Resolve(id, _typeNameUses);

    /// <summary>The C name of a typedef (typedefs and enumerators share C's ordinary identifier namespace).</summary>
    private string IdentifierName(uint id) => Resolve(id, _identifierUses);

    private string Resolve(uint id, Dictionary<string, int> uses)
    {
        if (_names[id] is { } cached) return cached;
        string name = TypeOf(id).Name;
        if (name.Length == 0) return "";
        int count = Use(uses, name);
        return _names[id] = count > 1 ? $"{name}___{count}" : name;
    }

    private static int Use(Dictionary<string, int> uses, string name)
    {
        uses.TryGetValue(name, out int count);
        uses[name] = ++count;
        return count;
    }
}
