using System.Text;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>What BPF_OBJ_GET_INFO_BY_FD says about a program that never changes: type, id, tag, kernel name.</summary>
internal sealed record ProgramIdentity(BpfProgramType Type, uint Id, string Tag, string KernelName)
{
    internal static unsafe ProgramIdentity Query(BpfFd fd)
    {
        var info = default(ProgInfoHead);
        var attr = new ObjGetInfoByFdAttr { BpfFd = (uint)fd.Value, InfoLen = (uint)sizeof(ProgInfoHead), Info = (ulong)&info };
        try
        {
            BpfSyscall.Invoke(BpfCommand.ObjGetInfoByFd, ref attr);
        }
        catch (BpfException error) when (error.Errno == Libc.EINVAL)
        {
            throw new BpfNotSupportedException("BPF_OBJ_GET_INFO_BY_FD for programs", "4.13");
        }
        var tag = new StringBuilder(16);
        for (int i = 0; i < 8; i++) tag.Append(info.Tag[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        int nameLength = 0;
        while (nameLength < 16 && info.Name[nameLength] != 0) nameLength++;
        string name = Encoding.ASCII.GetString(info.Name, nameLength);
        return new ProgramIdentity((BpfProgramType)info.Type, info.Id, tag.ToString(), name);
    }
}
