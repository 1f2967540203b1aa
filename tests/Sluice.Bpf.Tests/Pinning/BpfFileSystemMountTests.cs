using System.Runtime.InteropServices;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Pinning;

public partial class BpfFileSystemMountTests
{
    [Fact]
    public void EnsureMounted_mounts_bpffs_where_there_is_none_and_is_idempotent()
    {
        Requires.Root();
        string mountPoint = Path.Combine(Path.GetTempPath(), $"sluice-bpffs-{Guid.NewGuid():N}");
        try
        {
            BpfFileSystem.EnsureMounted(mountPoint);
            Assert.True(BpfFileSystem.IsBpfFs(mountPoint));
            BpfFileSystem.EnsureMounted(mountPoint);

            using var map = BpfArrayMap<uint>.Create("t_mount", 1);
            BpfPin.Pin(map.Map.Fd, Path.Combine(mountPoint, "m"));
            Assert.True(BpfPin.Exists(Path.Combine(mountPoint, "m")));
            Assert.True(BpfPin.Unpin(Path.Combine(mountPoint, "m")));
        }
        finally
        {
            if (BpfFileSystem.IsBpfFs(mountPoint)) Assert.Equal(0, Unmount(mountPoint, 0));
            Directory.Delete(mountPoint);
        }
    }

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Unmount(string target, int flags);
}
