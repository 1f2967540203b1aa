using System.Text;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>A loaded program as attach errors and listings show it: its id, type and kernel name.</summary>
/// <param name="Id">The kernel's program id.</param>
/// <param name="Type">The program type.</param>
/// <param name="Name">The kernel's (15-character) program name; empty when it has none.</param>
public sealed record AttachedProgram(uint Id, BpfProgramType Type, string Name)
{
    /// <summary>Reads the identity of the program behind <paramref name="program"/>.</summary>
    public static unsafe AttachedProgram Of(BpfFd program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var info = default(ProgInfoStruct);
        var attr = new ObjInfoAttr { BpfFd = (uint)program.Value, InfoLen = (uint)sizeof(ProgInfoStruct), Info = (ulong)&info };
        BpfSyscall.Invoke(BpfCommand.ObjGetInfoByFd, ref attr);
        return new AttachedProgram(info.Id, (BpfProgramType)info.Type, ReadName(info.Name));
    }

    /// <summary>The identity of program <paramref name="id"/>, or null when it no longer exists.</summary>
    public static AttachedProgram? TryFind(uint id)
    {
        using var fd = TryOpen(id);
        return fd is null ? null : Of(fd);
    }

    /// <summary>Opens a new fd for program <paramref name="id"/> (BPF_PROG_GET_FD_BY_ID), or null when it is gone.</summary>
    internal static BpfFd? TryOpen(uint id)
    {
        if (id == 0) return null;
        var attr = new GetIdAttr { Id = id };
        int fd = BpfSyscall.TryInvoke(BpfCommand.ProgGetFdById, ref attr, out _);
        return fd < 0 ? null : new BpfFd(fd);
    }

    /// <summary>"id 42 'xdp_drop'" for messages; just the id when the program is gone or nameless.</summary>
    internal static string Describe(uint id)
    {
        var identity = TryFind(id);
        return identity is null || identity.Name.Length == 0 ? $"id {id}" : $"id {id} '{identity.Name}'";
    }

    private static unsafe string ReadName(byte* name)
    {
        int length = 0;
        while (length < 16 && name[length] != 0) length++;
        return Encoding.ASCII.GetString(name, length);
    }

    /// <inheritdoc />
    public override string ToString() => Name.Length == 0 ? $"id {Id} ({Type})" : $"id {Id} '{Name}' ({Type})";
}
