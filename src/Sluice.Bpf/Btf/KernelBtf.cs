using System.Collections.Concurrent;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// The running kernel's BTF: vmlinux (/sys/kernel/btf/vmlinux, Linux 5.5 with CONFIG_DEBUG_INFO_BTF), kernel modules'
/// split BTF (/sys/kernel/btf/&lt;module&gt;, 5.11), or a BTF file given in their place (for kernels without BTF).
/// Each is read once per process, on first use, and shared: the parse walks the records only, types are made when
/// first asked for and names indexed on the first lookup, so the first use costs tens of milliseconds, not seconds.
/// </summary>
public static class KernelBtf
{
    /// <summary>Where the kernel exposes its own BTF.</summary>
    public const string VmlinuxPath = "/sys/kernel/btf/vmlinux";

    private const string Directory = "/sys/kernel/btf";
    private static readonly Lazy<BtfSpec> LazyVmlinux = new(() => ReadKernelFile(VmlinuxPath, null));
    private static readonly ConcurrentDictionary<string, Lazy<BtfSpec>> Modules = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Lazy<BtfSpec>> Files = new(StringComparer.Ordinal);

    /// <summary>True when the running kernel exposes its BTF at <see cref="VmlinuxPath"/>.</summary>
    public static bool IsAvailable => File.Exists(VmlinuxPath);

    /// <summary>The running kernel's BTF (vmlinux), parsed once per process.</summary>
    /// <exception cref="BpfNotSupportedException">The kernel has no BTF (built without CONFIG_DEBUG_INFO_BTF, or older than 5.5).</exception>
    /// <exception cref="BpfObjectException">The kernel's BTF is malformed.</exception>
    public static BtfSpec Vmlinux => LazyVmlinux.Value;

    /// <summary>Names of the kernel modules that expose BTF (empty on kernels without modules or module BTF).</summary>
    public static IReadOnlyList<string> ModuleNames
    {
        get
        {
            if (!System.IO.Directory.Exists(Directory)) return [];
            return [.. System.IO.Directory.EnumerateFiles(Directory).Select(Path.GetFileName).OfType<string>()
                .Where(name => name != "vmlinux").Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// Module <paramref name="module"/>'s BTF, split on <see cref="Vmlinux"/> (its ids continue vmlinux's), parsed once
    /// per process; null when the kernel has no BTF for that module (Linux 5.11 with CONFIG_DEBUG_INFO_BTF_MODULES).
    /// </summary>
    /// <exception cref="BpfNotSupportedException">The kernel has no vmlinux BTF.</exception>
    public static BtfSpec? Module(string module)
    {
        ArgumentException.ThrowIfNullOrEmpty(module);
        if (module == "vmlinux") return Vmlinux;
        if (module.Contains('/', StringComparison.Ordinal) || module.StartsWith('.')) return null;
        string path = Path.Combine(Directory, module);
        if (!File.Exists(path)) return null;
        var lazy = Modules.GetOrAdd(module, _ => new Lazy<BtfSpec>(() => ReadKernelFile(path, Vmlinux)));
        return Cached(Modules, module, lazy);
    }

    /// <summary>
    /// BTF read from <paramref name="path"/> (raw BTF, or an ELF file such as a vmlinux image with a .BTF section),
    /// to use in place of the running kernel's; read once per process per full path.
    /// </summary>
    /// <exception cref="BpfObjectException">The file is not BTF, or not an ELF file with a .BTF section.</exception>
    /// <exception cref="IOException">The file cannot be read (<see cref="FileNotFoundException"/> when it does not exist).</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static BtfSpec FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        var lazy = Files.GetOrAdd(full, key => new Lazy<BtfSpec>(() => BtfSpec.Load(key)));
        return Cached(Files, full, lazy);
    }

    /// <summary>The BTF to resolve against: the file at <paramref name="overridePath"/> when given, else <see cref="Vmlinux"/>.</summary>
    /// <exception cref="BpfNotSupportedException">No override and the kernel has no BTF.</exception>
    public static BtfSpec Resolve(string? overridePath) => overridePath is null ? Vmlinux : FromFile(overridePath);

    /// <summary>
    /// The first type named <paramref name="name"/> of <paramref name="kind"/> in vmlinux, then in each module's BTF
    /// (in name order); null when none has it.
    /// </summary>
    /// <exception cref="BpfNotSupportedException">The kernel has no BTF.</exception>
    public static KernelBtfType? Find(string name, BtfKind kind)
    {
        if (Vmlinux.FindType(name, kind) is { } type) return new KernelBtfType(Vmlinux, type, null);
        foreach (string module in ModuleNames)
        {
            var spec = Module(module);
            // A module's split BTF search starts with vmlinux's types: skip those, vmlinux was searched above.
            if (spec?.FindTypes(name, kind).FirstOrDefault(t => t.Id >= Vmlinux.Types.Count) is { } own)
                return new KernelBtfType(spec, own, module);
        }
        return null;
    }

    private static BtfSpec Cached(ConcurrentDictionary<string, Lazy<BtfSpec>> cache, string key, Lazy<BtfSpec> lazy)
    {
        try
        {
            return lazy.Value;
        }
        catch
        {
            cache.TryRemove(new KeyValuePair<string, Lazy<BtfSpec>>(key, lazy)); // a failed read is retried next time
            throw;
        }
    }

    private static BtfSpec ReadKernelFile(string path, BtfSpec? baseBtf)
    {
        try
        {
            return BtfSpec.Load(path, baseBtf);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BpfNotSupportedException($"kernel BTF ({path}, CONFIG_DEBUG_INFO_BTF)", "5.5");
        }
    }
}

/// <summary>A type found in the kernel's BTF: the BTF it is in, the type, and the module (null for vmlinux).</summary>
/// <param name="Spec">vmlinux's BTF, or the module's split BTF (whose ids continue vmlinux's).</param>
/// <param name="Type">The type; its <see cref="BtfType.Id"/> is the kernel's id in that BTF object.</param>
/// <param name="Module">The module's name, or null for vmlinux.</param>
public readonly record struct KernelBtfType(BtfSpec Spec, BtfType Type, string? Module);
