using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>
/// One load of an <see cref="ObjectSpec"/>: BTF, then maps, then programs, then prog-array / map-in-map slots,
/// then pins. Everything made so far is released when a step fails, and pins made by this load are removed,
/// so a failed load leaves the kernel and bpffs as it found them.
/// </summary>
internal sealed class CollectionLoader
{
    private readonly ObjectSpec _spec;
    private readonly CollectionOptions _options;
    private readonly List<string> _warnings = [];
    private readonly Dictionary<string, BpfMap> _maps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BpfProgram> _programs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reusedMaps = new(StringComparer.Ordinal);
    private readonly List<string> _pinnedHere = [];
    private BpfBtf? _btf;
    private CoreRelocator? _relocator;

    internal CollectionLoader(ObjectSpec spec, CollectionOptions options)
    {
        _spec = spec;
        _options = options;
    }

    internal BpfCollection Load()
    {
        try
        {
            MemoryLimit.EnsureUnlimited();
            LoadBtf();
            foreach (var map in _spec.Maps) CreateOrReuseMap(map);
            foreach (var program in _spec.Programs) LoadProgram(program);
            foreach (var map in _spec.Maps) FillSlots(map);
            foreach (var map in _spec.Maps) PinIfNew(map);
            return new BpfCollection(_spec, _programs, _maps, _btf, _warnings, _pinnedHere);
        }
        catch
        {
            Release();
            throw;
        }
    }

    private void LoadBtf()
    {
        const string consequence = "programs load without func/line info and maps without BTF type ids";
        if (_spec.Btf is null)
        {
            _warnings.Add($"object '{_spec.Name}' has no BTF: {consequence}");
            return;
        }
        try
        {
            _btf = BpfBtf.Load(BtfExternFixups.Apply(_spec.Btf.RawData, _spec.Externs));
            if (_btf.RewrittenTypes > 0)
                _warnings.Add($"object BTF: {_btf.RewrittenTypes} types rewritten for this kernel, which lacks " +
                    string.Join(", ", BtfFeatureProbe.Current.Missing()));
            if (!_btf.SupportsFuncInfo) _warnings.Add("object BTF: this kernel has no BTF FUNC (5.0); programs load without func/line info");
        }
        catch (Exception error) when (error is BpfException or BpfNotSupportedException or FormatException)
        {
            _warnings.Add($"object BTF not loaded ({error.Message}): {consequence}");
        }
    }

    private void CreateOrReuseMap(MapSpec declared)
    {
        var spec = ForThisKernel(declared);
        if (spec.Pinning == PinningType.ByName)
        {
            string path = PinPathOf(spec);
            if (File.Exists(path))
            {
                _maps.Add(spec.Name, PinnedMapReuse.Open(path, spec));
                _reusedMaps.Add(spec.Name);
                return;
            }
        }

        BpfMap? inner = spec.InnerMap is { } innerSpec ? BpfMap.Create(ForThisKernel(innerSpec), CreateOptions(innerSpec, null)) : null;
        BpfMap map;
        try
        {
            // The kernel copies the inner map's shape at creation; the template itself is not kept.
            map = BpfMap.Create(spec, CreateOptions(spec, inner));
        }
        finally
        {
            inner?.Dispose();
        }
        _maps.Add(spec.Name, map);
        if (spec.Kind == MapSpecKind.GlobalData) InitializeGlobalData(spec, map);
    }

    /// <summary>Fills in what depends on the machine: a PERF_EVENT_ARRAY without max_entries gets one slot per possible CPU.</summary>
    private static MapSpec ForThisKernel(MapSpec spec)
    {
        if (spec.Type != BpfMapType.PerfEventArray || spec.MaxEntries != 0) return spec;
        var adjusted = spec.Clone();
        adjusted.MaxEntries = (uint)PossibleCpus.Count;
        return adjusted;
    }

    private MapCreateOptions CreateOptions(MapSpec spec, BpfMap? inner) => new()
    {
        Btf = _btf?.Fd,
        InnerMap = inner,
        KernelName = _options.KernelNamePrefix + (spec.KernelName ?? spec.Name),
    };

    private void InitializeGlobalData(MapSpec spec, BpfMap map)
    {
        var value = spec.InitialValue;
        if (spec.Name == ".kconfig" && _spec.Externs.Exists(e => e.Kind == ExternKind.Kconfig))
            value = KconfigValues.Fill(_spec, spec, KernelConfig.Current, KernelConfig.Source);
        if (value is not null && value.AsSpan().ContainsAnyExcept((byte)0))
            map.Update(stackalloc byte[4], value);
        if (!spec.Freeze) return;
        try
        {
            map.Freeze();
        }
        catch (BpfException error) when (error.Errno == Libc.EINVAL)
        {
            _warnings.Add($"map '{spec.Name}' not frozen (BPF_MAP_FREEZE needs Linux 5.2): the verifier will not treat its values as constants");
        }
    }

    private void LoadProgram(ProgramSpec spec)
    {
        if (_options.ProgramFilter is { } filter && !filter(spec)) return;
        if (spec.Type == BpfProgramType.Unspecified)
            // Checked here rather than left to the kernel, whose bare EINVAL would not say why.
            throw new BpfException("BPF_PROG_LOAD", Libc.EINVAL,
                $"program '{spec.Name}': section '{spec.SectionName}' names no known program type");
        var options = new ProgramLoadOptions
        {
            Btf = _btf,
            LogLevel = _options.LogLevel,
            LogSize = _options.LogSize,
            KernelName = _options.KernelNamePrefix + spec.Name,
        };
        var relocated = ApplyCoreRelocations(spec);
        if (relocated.ExternReferences.Count > 0) relocated = KsymResolver.Apply(relocated, _spec);
        _programs.Add(spec.Name, BpfProgram.Load(relocated, _maps, options));
    }

    /// <summary>Relocates the program's CO-RE records against the kernel's BTF (or the options' file), once per collection.</summary>
    private ProgramSpec ApplyCoreRelocations(ProgramSpec spec)
    {
        if (spec.CoreRelocations.Count == 0) return spec;
        if (_spec.Btf is null)
            throw new BpfCoreRelocationException(CoreFailureKind.InvalidRelocation, spec.Name,
                $"program '{spec.Name}' has CO-RE relocations, but object '{_spec.Name}' has no BTF to describe them");
        if (_options.KernelBtfPath is null && !KernelBtf.IsAvailable)
            throw new BpfCoreRelocationException(CoreFailureKind.NoTargetBtf, spec.Name,
                $"program '{spec.Name}' has {spec.CoreRelocations.Count} CO-RE relocations, but this kernel exposes no BTF " +
                $"({KernelBtf.VmlinuxPath}; CONFIG_DEBUG_INFO_BTF): give the loader a BTF file that describes this kernel");
        _relocator ??= new CoreRelocator(_spec.Btf, KernelBtf.SearchOrder(_options.KernelBtfPath));
        return _relocator.Apply(spec);
    }

    private void FillSlots(MapSpec spec)
    {
        if (spec.Contents.Count == 0 || _reusedMaps.Contains(spec.Name)) return;
        var map = _maps[spec.Name];
        Span<byte> key = stackalloc byte[4];
        Span<byte> value = stackalloc byte[4];
        foreach (var slot in spec.Contents)
        {
            int fd;
            if (spec.Type == BpfMapType.ProgArray)
            {
                if (!_programs.TryGetValue(slot.TargetName, out var program))
                {
                    if (_spec.Programs.Exists(p => p.Name == slot.TargetName))
                    {
                        _warnings.Add($"map '{spec.Name}' slot {slot.Index}: program '{slot.TargetName}' was not loaded, slot left empty");
                        continue;
                    }
                    throw new KeyNotFoundException($"map '{spec.Name}' slot {slot.Index} names unknown program '{slot.TargetName}'");
                }
                fd = program.Fd.Value;
            }
            else
            {
                if (!_maps.TryGetValue(slot.TargetName, out var target))
                    throw new KeyNotFoundException($"map '{spec.Name}' slot {slot.Index} names unknown map '{slot.TargetName}'");
                fd = target.Fd.Value;
            }
            BitConverter.TryWriteBytes(key, slot.Index);
            BitConverter.TryWriteBytes(value, fd);
            map.Update(key, value);
        }
    }

    private void PinIfNew(MapSpec spec)
    {
        if (spec.Pinning != PinningType.ByName || _reusedMaps.Contains(spec.Name)) return;
        string path = PinPathOf(spec);
        _maps[spec.Name].Pin(path);
        _pinnedHere.Add(path);
    }

    private string PinPathOf(MapSpec spec) => Path.Combine(_options.PinPath, spec.Name);

    private void Release()
    {
        foreach (var path in _pinnedHere)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Best effort: the original failure is what the caller needs to see.
            }
        }
        foreach (var program in _programs.Values) program.Dispose();
        foreach (var map in _maps.Values) map.Dispose();
        _btf?.Dispose();
    }
}
