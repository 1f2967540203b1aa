using System.Runtime.InteropServices;
using Sluice.Tests;
using Xunit;

namespace Sluice.Bpf.Tests.Pinning;

public partial class BpfFileSystemMountTests
{
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void EnsureMounted_mounts_bpffs_where_there_is_none_and_is_idempotent()
    {
        Requires.Root();
        string mountPoint = Path.Combine(Path.GetTempPath(), $"sluice-bpffs-{Guid.NewGuid():N}");
        try
        {
            BpfFileSystem.EnsureMounted(mountPoint);
            Assert.True(BpfFileSystem.IsBpfFs(mountPoint));
            // Mounted 0700, not bpffs's default 1777 where any user could create sluice/ first.
            var others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(mountPoint) & others);
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

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Private_directories_are_0700_and_refused_behind_a_symlink_or_a_foreign_owner()
    {
        Requires.Root();
        using var pins = new Sluice.Lab.TestPinDirectory(create: true);
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        BpfFileSystem.CreatePrivateDirectory(pins.File("app/netns/dev"));
        foreach (string made in new[] { "app", "app/netns", "app/netns/dev" })
            Assert.Equal(Private, File.GetUnixFileMode(pins.File(made)));
        BpfFileSystem.CreatePrivateDirectory(pins.File("app/netns/dev"));

        // A symlink anywhere in the path: refused, and nothing is created behind it.
        string victim = Directory.CreateTempSubdirectory("sluice-victim-").FullName;
        try
        {
            File.CreateSymbolicLink(pins.File("planted"), victim);
            var error = Assert.Throws<UnauthorizedAccessException>(() => BpfFileSystem.CreatePrivateDirectory(pins.File("planted/netns/dev")));
            Assert.Contains("planted is a symbolic link", error.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(victim));
            Assert.Throws<UnauthorizedAccessException>(() => BpfFileSystem.ThrowIfSymlinked(pins.File("planted/netns")));
            BpfFileSystem.ThrowIfSymlinked(pins.File("app/netns/dev"));
        }
        finally
        {
            Directory.Delete(victim, recursive: true);
        }

        // A directory another user owns inside bpffs: refused.
        Directory.CreateDirectory(pins.File("foreign"));
        Assert.Equal(0, Chown(pins.File("foreign"), 65534, 65534));
        var foreign = Assert.Throws<UnauthorizedAccessException>(() => BpfFileSystem.CreatePrivateDirectory(pins.File("foreign/dev")));
        Assert.Contains("owned by uid 65534", foreign.Message, StringComparison.Ordinal);
    }

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, int owner, int group);

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Unmount(string target, int flags);
}
