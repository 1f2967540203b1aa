using System.Text;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>What the kernel reports about a loaded BTF object (struct bpf_btf_info), and its raw bytes.</summary>
public sealed record BpfBtfInfo
{
    /// <summary>Kernel-wide BTF object id.</summary>
    public required uint Id { get; init; }

    /// <summary>"vmlinux", a module's name, or "" for BTF that programs loaded (Linux 5.11).</summary>
    public required string Name { get; init; }

    /// <summary>True for the kernel's own BTF (vmlinux or a module).</summary>
    public required bool IsKernel { get; init; }

    /// <summary>Size of the raw BTF in bytes.</summary>
    public required uint Size { get; init; }

    /// <summary>Reads the info of the BTF object behind <paramref name="fd"/> (without the raw bytes).</summary>
    public static BpfBtfInfo FromFd(BpfFd fd) => Read(fd, withData: false).Info;

    /// <summary>The raw BTF bytes of the object behind <paramref name="fd"/> (header, types, strings), as the kernel holds them.</summary>
    public static byte[] ReadData(BpfFd fd) => Read(fd, withData: true).Data!;

    /// <summary>
    /// Parses BTF object <paramref name="id"/> as the kernel holds it (a module's BTF on top of vmlinux's); null when
    /// the object no longer exists.
    /// </summary>
    /// <exception cref="BpfObjectException">The kernel's BTF could not be parsed.</exception>
    public static BtfSpec? ReadSpec(uint id)
    {
        using var fd = OpenById(id);
        if (fd is null) return null;
        var info = FromFd(fd);
        if (info.IsKernel && info.Name == "vmlinux") return KernelBtf.Vmlinux;
        var baseBtf = info.IsKernel ? KernelBtf.Vmlinux : null;
        return BtfSpec.Parse(ReadData(fd), info.Name.Length == 0 ? $"BTF {id}" : info.Name, baseBtf);
    }

    /// <summary>Every BTF object in the kernel (Linux 5.4), lazily; objects freed in between are skipped.</summary>
    public static IEnumerable<BpfBtfInfo> All() => ObjectInfo.All(BpfCommand.BtfGetNextId, BpfCommand.BtfGetFdById, FromFd);

    /// <summary>Opens BTF object <paramref name="id"/>; null when it no longer exists.</summary>
    public static BpfFd? OpenById(uint id) => ObjectInfo.TryOpenById(BpfCommand.BtfGetFdById, id);

    private static unsafe (BpfBtfInfo Info, byte[]? Data) Read(BpfFd fd, bool withData)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var name = new byte[64];
        var info = default(BtfInfoStruct);
        byte[]? data = null;
        fixed (byte* namePointer = name)
        {
            info.Name = (ulong)namePointer;
            info.NameLength = (uint)name.Length;
            ObjectInfo.Read(fd, ref info);
            if (withData)
            {
                // The first call reports the size; the second copies that many bytes.
                data = new byte[info.BtfSize];
                fixed (byte* dataPointer = data)
                {
                    var second = new BtfInfoStruct { Btf = (ulong)dataPointer, BtfSize = (uint)data.Length };
                    ObjectInfo.Read(fd, ref second);
                }
            }
        }
        int length = Array.IndexOf(name, (byte)0);
        var result = new BpfBtfInfo
        {
            Id = info.Id,
            Name = Encoding.UTF8.GetString(name, 0, length < 0 ? name.Length : length),
            IsKernel = info.KernelBtf != 0,
            Size = info.BtfSize,
        };
        return (result, data);
    }
}
