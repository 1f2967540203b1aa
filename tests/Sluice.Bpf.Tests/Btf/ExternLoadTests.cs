using System.IO.Compression;
using Sluice.Bpf.Object;
using Sluice.Bpf.Tests.Programs;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Btf;

/// <summary>.kconfig and .ksyms externs against the running kernel, checked against libbpf and the config file itself.</summary>
public sealed class ExternLoadTests
{
    private static void RequireKernel()
    {
        Requires.Root();
        if (!KernelBtf.IsAvailable) Requires.Unavailable($"the kernel has no BTF at {KernelBtf.VmlinuxPath}");
        if (!File.Exists("/proc/config.gz")) Requires.Unavailable("the kernel exposes no /proc/config.gz");
    }

    [Fact]
    public void Kconfig_and_ksym_values_are_the_kernels_and_agree_with_libbpf()
    {
        RequireKernel();
        using var pins = new TestPinDirectory(create: true);
        using var collection = BpfCollection.Load(Fixture.Path("externs"), new CollectionOptions { PinPath = pins.Path });
        // The extern sections are rewritten as libbpf does, so the kernel takes the object's BTF (func and line info).
        Assert.DoesNotContain(collection.Warnings, w => w.Contains("BTF", StringComparison.Ordinal));
        Assert.NotEqual(0u, collection.Program("externs_answers").GetInfo().BtfId);
        Assert.Equal(XdpAction.Pass, collection.Program("externs_answers").TestRun(Packets.Ipv4(Packets.Udp)).XdpAction);
        using var results = new BpfArrayMap<ulong>(collection.Map("results"));
        var ours = Enumerable.Range(0, 16).Select(i => results[(uint)i]).ToArray();

        var libbpf = LibbpfAnswers.Run(Fixture.Path("externs"), "externs_answers", 16);
        for (int i = 0; i < 10; i++) Assert.True(ours[i] == libbpf[i], $"slot {i}: Sluice {ours[i]}, libbpf {libbpf[i]}");

        // Independently: uname and the config file, read here.
        var config = ReadConfig();
        string[] release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim().Split('.', '-');
        ulong version = (ulong.Parse(release[0]) << 16) + (ulong.Parse(release[1]) << 8) + Math.Min(ulong.Parse(release[2]), 255);
        Assert.Equal(version, ours[0]);
        Assert.Equal(ulong.Parse(config["CONFIG_HZ"]), ours[1]);
        Assert.Equal(config["CONFIG_BPF_SYSCALL"] == "y" ? 1ul : 0, ours[2]);
        Assert.Equal(config.GetValueOrDefault("CONFIG_BPF_JIT") switch { "y" => 1ul, "m" => 2ul, _ => 0ul }, ours[3]);
        var localVersion = new byte[8];
        System.Text.Encoding.ASCII.GetBytes(config["CONFIG_LOCALVERSION"].Trim('"')).AsSpan(0, Math.Min(8, config["CONFIG_LOCALVERSION"].Length - 2)).CopyTo(localVersion);
        Assert.Equal(BitConverter.ToUInt64(localVersion), ours[4]);
        Assert.Equal(0ul, ours[5]); // weak, not in any config
        string kallsyms = File.ReadLines("/proc/kallsyms").First(l => l.EndsWith(" bpf_prog_put", StringComparison.Ordinal));
        Assert.Equal(ulong.Parse(kallsyms[..kallsyms.IndexOf(' ')], System.Globalization.NumberStyles.AllowHexSpecifier), ours[6]);
        Assert.Equal(0ul, ours[7]); // the weak kfunc does not exist
        Assert.Equal(1ul, ours[8]); // bpf cookies since 5.15
    }

    [Fact]
    public void A_missing_kconfig_value_without_weak_names_program_and_symbol()
    {
        RequireKernel();
        using var pins = new TestPinDirectory(create: true);
        var error = Assert.Throws<BpfCoreRelocationException>(() =>
            BpfCollection.Load(Fixture.Path("externs_missing"), new CollectionOptions { PinPath = pins.Path }));
        Assert.Equal(CoreFailureKind.MissingExtern, error.Kind);
        Assert.StartsWith("program 'externs_missing': kconfig extern 'CONFIG_SLUICE_NOT_A_REAL_OPTION' is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_kfunc_without_weak_names_program_and_symbol()
    {
        RequireKernel();
        using var pins = new TestPinDirectory(create: true);
        var error = Assert.Throws<BpfCoreRelocationException>(() =>
            BpfCollection.Load(Fixture.Path("externs_missing_ksym"), new CollectionOptions { PinPath = pins.Path }));
        Assert.Equal(CoreFailureKind.MissingExtern, error.Kind);
        Assert.StartsWith("program 'externs_missing_ksym': ksym 'bpf_sluice_no_such_kfunc' does not exist", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> ReadConfig()
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead("/proc/config.gz"), CompressionMode.Decompress));
        var options = new Dictionary<string, string>();
        while (reader.ReadLine() is { } line)
            if (line.StartsWith("CONFIG_", StringComparison.Ordinal) && line.IndexOf('=') is var at and > 0)
                options[line[..at]] = line[(at + 1)..];
        return options;
    }
}
