using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Btf;

/// <summary>The running kernel's BTF, read once per process.</summary>
public sealed class KernelBtfTests
{
    private static void RequireKernelBtf()
    {
        if (!KernelBtf.IsAvailable) Requires.Unavailable($"the kernel has no BTF at {KernelBtf.VmlinuxPath}");
    }

    [Fact]
    public void Vmlinux_is_parsed_once_and_finds_kernel_structs()
    {
        RequireKernelBtf();
        var vmlinux = KernelBtf.Vmlinux;
        Assert.Same(vmlinux, KernelBtf.Vmlinux);
        Assert.True(vmlinux.Types.Count > 1000);

        var task = vmlinux.FindType("task_struct", BtfKind.Struct)!;
        Assert.Contains(task.Members, m => m.Name == "pid");
        Assert.Same(task, vmlinux.TypeById(task.Id));
        Assert.Equal(task.Size, vmlinux.SizeOf(task.Id));
        Assert.Equal(task.Id, KernelBtf.Find("task_struct", BtfKind.Struct)!.Value.Type.Id);
        Assert.Null(KernelBtf.Find("no_such_struct_in_any_kernel", BtfKind.Struct));
    }

    [Fact]
    public void Module_btf_is_split_on_vmlinux()
    {
        RequireKernelBtf();
        Assert.Null(KernelBtf.Module("no_such_module"));
        Assert.Null(KernelBtf.Module("../vmlinux"));
        foreach (string module in KernelBtf.ModuleNames.Take(3))
        {
            var spec = KernelBtf.Module(module)!;
            Assert.Same(KernelBtf.Vmlinux, spec.Base);
            Assert.True(spec.Types.Count >= KernelBtf.Vmlinux.Types.Count);
        }
    }

    [Fact]
    public void An_override_file_is_read_in_place_of_the_kernel()
    {
        RequireKernelBtf();
        string path = Path.Combine(Path.GetTempPath(), $"sluice-kbtf-{Environment.ProcessId}.btf");
        try
        {
            File.Copy(KernelBtf.VmlinuxPath, path, overwrite: true);
            var file = KernelBtf.Resolve(path);
            Assert.NotSame(KernelBtf.Vmlinux, file);
            Assert.Same(file, KernelBtf.FromFile(path));
            Assert.Equal(KernelBtf.Vmlinux.Types.Count, file.Types.Count);
            Assert.Same(KernelBtf.Vmlinux, KernelBtf.Resolve(null));
            Assert.Throws<FileNotFoundException>(() => KernelBtf.FromFile(path + ".missing"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
