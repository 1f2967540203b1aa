using System.CommandLine;
using Sluice.Bpf;
using Sluice.Cli.Infrastructure;

namespace Sluice.Cli.Commands;

internal static partial class ObjectCommands
{
    private static Command CreateLoad()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "BPF ELF object (.o)" };
        var pin = new Option<DirectoryInfo>("--pin")
        {
            Description = "bpffs directory: each program is pinned as DIR/<program name> (like bpftool prog loadall)",
            Required = true,
        };
        var pinMaps = new Option<DirectoryInfo?>("--pin-maps") { Description = "Also pin every map as DIR/<map name>" };
        var btf = BtfOption();
        var json = CommonOptions.Json();
        var load = new Command("load", "Load every map and program of an object and pin the programs") { file, pin, pinMaps, btf, json };
        load.SetAction(result => CommandRunner.Run(() =>
        {
            var spec = ReadObject(result.GetValue(file)!);
            string directory = result.GetValue(pin)!.FullName;
            string? mapDirectory = result.GetValue(pinMaps)?.FullName;
            var pinned = LoadAndPin(spec, directory, mapDirectory, KernelBtfPath(result.GetValue(btf)));
            if (result.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteStartArray();
                    foreach (var (kind, name, id, path) in pinned)
                    {
                        writer.WriteStartObject();
                        writer.WriteString("kind", kind);
                        writer.WriteString("name", name);
                        writer.WriteNumber("id", id);
                        writer.WriteString("pinned", path);
                        writer.WriteEndObject();
                    }
                    writer.WriteEndArray();
                });
            }
            else
            {
                var table = new TextTable("KIND", "NAME", "ID", "PINNED");
                foreach (var (kind, name, id, path) in pinned) table.Add(kind, name, id, path);
                table.Write(Console.Out);
            }
            return 0;
        }));
        return load;
    }

    /// <summary>
    /// Loads the whole object, then pins. A failure at any step unpins what this call pinned, so a rejected
    /// object never leaves half its programs behind.
    /// </summary>
    private static List<(string Kind, string Name, uint Id, string Path)> LoadAndPin(
        Sluice.Bpf.Object.ObjectSpec spec, string directory, string? mapDirectory, string? kernelBtf)
    {
        BpfFileSystem.EnsureMounted();
        var pinned = new List<(string, string, uint, string)>();
        using var collection = BpfCollection.Load(spec, new CollectionOptions { KernelBtfPath = kernelBtf });
        try
        {
            foreach (var warning in collection.Warnings) Console.Error.WriteLine($"warning: {warning}");
            CheckPinDirectory(directory);
            foreach (var (name, program) in collection.Programs)
            {
                string path = Path.Combine(directory, name);
                program.Pin(path);
                pinned.Add(("program", name, program.Id, path));
            }
            if (mapDirectory is not null)
            {
                CheckPinDirectory(mapDirectory);
                foreach (var (name, map) in collection.Maps)
                {
                    string path = Path.Combine(mapDirectory, SafeFileName(name));
                    map.Pin(path);
                    pinned.Add(("map", name, BpfMapInfo.FromFd(map.Fd).Id, path));
                }
            }
            return pinned;
        }
        catch
        {
            foreach (var (_, _, _, path) in pinned) BpfPin.Unpin(path);
            throw;
        }
    }

    private static Option<FileInfo?> BtfOption() => new("--btf")
    {
        Description = "BTF describing the kernel (raw BTF or a vmlinux ELF) to resolve CO-RE relocations and externs against, " +
            "instead of /sys/kernel/btf/vmlinux (for kernels built without BTF)",
    };

    private static string? KernelBtfPath(FileInfo? file)
    {
        if (file is null) return null;
        if (!file.Exists) throw new CliError($"{file.FullName}: no such file (--btf)");
        return file.FullName;
    }

    private static void CheckPinDirectory(string directory)
    {
        BpfFileSystem.CheckPinPath(directory);
        Directory.CreateDirectory(directory);
        if (!BpfFileSystem.IsBpfFs(directory))
            throw new CliError($"{directory} is not on a bpf filesystem (pins must live under /sys/fs/bpf)");
    }

    // Global-data maps are named ".rodata", ".data.stats" etc.: bpffs allows no '.' in names (libbpf renames them the same way).
    private static string SafeFileName(string name) => name.TrimStart('.').Replace('.', '_').Replace('/', '_');
}
