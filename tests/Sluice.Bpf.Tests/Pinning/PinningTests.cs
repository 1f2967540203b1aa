using Sluice.Bpf.Object;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Pinning;

public class PinningTests
{
    private static MapSpec CounterSpec(string name) =>
        new() { Name = name, Type = BpfMapType.Hash, KeySize = 4, ValueSize = 8, MaxEntries = 32, Pinning = PinningType.ByName };

    [Fact]
    public void Bpffs_is_mounted_at_the_default_mount_point()
    {
        Requires.Root();
        BpfFileSystem.EnsureMounted();
        Assert.True(BpfFileSystem.IsBpfFs(BpfFileSystem.DefaultMountPoint));
        Assert.False(BpfFileSystem.IsBpfFs("/tmp"));
    }

    [Fact]
    public void Pinned_map_outlives_its_fd_and_reopens_with_the_same_contents()
    {
        Requires.Root();
        using var pins = new TestPinDirectory();
        string path = pins.File("nested/dir/counters");
        uint id;
        using (var map = new BpfHashMap<uint, ulong>(BpfMap.Create(CounterSpec("t_pin")), ownsMap: true))
        {
            map.Update(7, 700);
            map.Map.Pin(path);
            id = map.Map.GetInfo().Id;
        }
        Assert.True(BpfPin.Exists(path));

        using var reopened = BpfMap.OpenPinned(path);
        Assert.Equal("t_pin", reopened.Name);
        Assert.Equal(BpfMapType.Hash, reopened.Type);
        Assert.Equal(4u, reopened.KeySize);
        Assert.Equal(8u, reopened.ValueSize);
        Assert.Equal(32u, reopened.MaxEntries);
        Assert.Equal(id, reopened.GetInfo().Id);
        using var view = new BpfHashMap<uint, ulong>(reopened); // borrows the map
        Assert.Equal(700UL, view.Lookup(7));
        reopened.CheckCompatible(CounterSpec("t_pin"));

        Assert.True(BpfPin.Unpin(path));
        Assert.False(BpfPin.Unpin(path));
        Assert.False(BpfPin.Exists(path));
        // The open fd keeps the map alive after unpinning.
        Assert.Equal(700UL, view.Lookup(7));
    }

    [Fact]
    public void Compatibility_check_lists_every_difference()
    {
        Requires.Root();
        using var map = BpfMap.Create(CounterSpec("t_compat"));
        var wanted = CounterSpec("t_compat");
        wanted.Type = BpfMapType.LruHash;
        wanted.KeySize = 8;
        wanted.ValueSize = 16;
        wanted.MaxEntries = 64;
        wanted.Flags = 1;
        var error = Assert.Throws<BpfMapIncompatibleException>(() => map.CheckCompatible(wanted));
        Assert.Equal(5, error.Differences.Count);
        Assert.Contains("type: map is Hash, spec wants LruHash", error.Message, StringComparison.Ordinal);
        Assert.Contains("key size: map has 4, spec wants 8", error.Message, StringComparison.Ordinal);
        Assert.Contains("value size: map has 8, spec wants 16", error.Message, StringComparison.Ordinal);
        Assert.Contains("max entries: map has 32, spec wants 64", error.Message, StringComparison.Ordinal);
        Assert.Contains("flags: map has 0x0, spec wants 0x1", error.Message, StringComparison.Ordinal);

        var onlySize = CounterSpec("t_compat");
        onlySize.MaxEntries = 33;
        Assert.Single(Assert.Throws<BpfMapIncompatibleException>(() => map.CheckCompatible(onlySize)).Differences);
    }

    [Fact]
    public void Pinning_twice_at_one_path_says_it_already_exists()
    {
        Requires.Root();
        using var pins = new TestPinDirectory();
        using var map = BpfMap.Create(CounterSpec("t_pin_twice"));
        string path = pins.File("twice");
        map.Pin(path);
        var error = Assert.Throws<BpfException>(() => map.Pin(path));
        Assert.Equal("EEXIST", error.ErrnoName);
        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pinning_outside_bpffs_and_opening_a_missing_pin_fail_clearly()
    {
        Requires.Root();
        using var map = BpfMap.Create(CounterSpec("t_pin_tmp"));
        string outside = Path.Combine(Path.GetTempPath(), $"sluice-{Guid.NewGuid():N}", "map");
        try
        {
            var error = Assert.Throws<ArgumentException>(() => map.Pin(outside));
            Assert.Contains("not on a BPF filesystem", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(outside)!, recursive: true);
        }

        using var pins = new TestPinDirectory();
        var missing = Assert.Throws<FileNotFoundException>(() => BpfMap.OpenPinned(pins.File("nothing")));
        Assert.Contains("nothing is pinned", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_only_open_refuses_updates()
    {
        Requires.Root();
        using var pins = new TestPinDirectory();
        using var map = BpfMap.Create(CounterSpec("t_pin_ro"));
        string path = pins.File("ro");
        map.Pin(path);
        using var readOnly = new BpfHashMap<uint, ulong>(BpfMap.OpenPinned(path, PinAccess.ReadOnly), ownsMap: true);
        Assert.False(readOnly.TryLookup(1, out _));
        var error = Assert.Throws<BpfException>(() => readOnly.Update(1, 1));
        Assert.Equal("EPERM", error.ErrnoName);
    }

    [Fact]
    public void Any_fd_can_be_pinned_and_reopened_by_id()
    {
        Requires.Root();
        using var pins = new TestPinDirectory();
        using var array = BpfArrayMap<uint>.Create("t_pin_fd", 2);
        array[1] = 5;
        BpfPin.Pin(array.Map.Fd, pins.File("raw"));
        using var fd = BpfPin.Open(pins.File("raw"));
        using var viaFd = new BpfArrayMap<uint>(BpfMap.FromFd(fd));
        Assert.Equal(5u, viaFd[1]);

        using var viaId = new BpfArrayMap<uint>(BpfMap.FromId(array.Map.GetInfo().Id), ownsMap: true);
        Assert.Equal(5u, viaId[1]);
        Assert.Throws<KeyNotFoundException>(() => BpfMap.FromId(uint.MaxValue));
    }
}
