using Sluice.Bpf.Object;
using Sluice.Bpf.Interop;

namespace Sluice.Bpf;

/// <summary>
/// Finds out once per process which BTF kinds the kernel accepts, by loading a tiny blob per kind (what libbpf
/// and cilium/ebpf do too: version numbers lie on distribution kernels, the kernel's answer does not).
/// </summary>
internal static class BtfFeatureProbe
{
    private static readonly Lazy<BtfFeatures> Cached = new(Probe);

    /// <summary>The running kernel's BTF features (probed on first use; needs the rights bpf() needs).</summary>
    internal static BtfFeatures Current => Cached.Value;

    private static BtfFeatures Probe()
    {
        var basic = new BtfBlobBuilder();
        basic.Int("int");
        if (!Accepts(basic.Build())) return new BtfFeatures();
        return new BtfFeatures
        {
            Loadable = true,
            Func = Accepts(FuncBlob(linkage: 0)),
            GlobalFunc = Accepts(FuncBlob(linkage: 1)),
            DataSec = Accepts(DataSecBlob()),
            Float = Accepts(FloatBlob()),
            DeclTag = Accepts(DeclTagBlob()),
            TypeTag = Accepts(TypeTagBlob()),
            Enum64 = Accepts(Enum64Blob()),
        };
    }

    private static byte[] FuncBlob(int linkage)
    {
        var b = new BtfBlobBuilder();
        uint proto = b.Type(BtfKind.FunctionProto, null, 0, 0);
        b.Type(BtfKind.Function, "probe", linkage, proto);
        return b.Build();
    }

    private static byte[] DataSecBlob()
    {
        var b = new BtfBlobBuilder();
        uint integer = b.Int("int");
        uint variable = b.Type(BtfKind.Variable, "probe", 0, integer, false, 1);
        b.Type(BtfKind.DataSection, ".data", 1, 4, false, variable, 0, 4);
        return b.Build();
    }

    private static byte[] FloatBlob()
    {
        var b = new BtfBlobBuilder();
        b.Type(BtfKind.Float, "float", 0, 4);
        return b.Build();
    }

    private static byte[] DeclTagBlob()
    {
        var b = new BtfBlobBuilder();
        uint integer = b.Int("int");
        uint variable = b.Type(BtfKind.Variable, "probe", 0, integer, false, 1);
        b.Type(BtfKind.DeclarationTag, "tag", 0, variable, false, uint.MaxValue);
        return b.Build();
    }

    private static byte[] TypeTagBlob()
    {
        var b = new BtfBlobBuilder();
        uint integer = b.Int("int");
        uint tag = b.Type(BtfKind.TypeTag, "tag", 0, integer);
        b.Type(BtfKind.Pointer, null, 0, tag);
        return b.Build();
    }

    private static byte[] Enum64Blob()
    {
        var b = new BtfBlobBuilder();
        uint name = b.String("v");
        b.Type(BtfKind.Enum64, "probe", 1, 8, false, name, 1, 1);
        return b.Build();
    }

    private static unsafe bool Accepts(byte[] blob)
    {
        fixed (byte* pointer = blob)
        {
            var attr = new BtfLoadAttr { Btf = (ulong)pointer, BtfSize = (uint)blob.Length };
            int fd = BpfSyscall.TryInvoke(BpfCommand.BtfLoad, ref attr, out _);
            if (fd < 0) return false;
            _ = Libc.Close(fd);
            return true;
        }
    }
}
