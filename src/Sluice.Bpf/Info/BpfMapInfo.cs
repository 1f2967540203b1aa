using System.Globalization;
using Sluice.Bpf.Interop;
using Sluice.Bpf.Object;

namespace Sluice.Bpf;

/// <summary>What the kernel reports about a map (struct bpf_map_info), as <c>bpftool map show</c> prints it.</summary>
public sealed record BpfMapInfo
{
    /// <summary>Kernel-wide map id.</summary>
    public required uint Id { get; init; }

    /// <summary>Map type.</summary>
    public required BpfMapType Type { get; init; }

    /// <summary>Kernel object name (at most 15 characters; empty before Linux 4.15).</summary>
    public required string Name { get; init; }

    /// <summary>Key size in bytes.</summary>
    public required uint KeySize { get; init; }

    /// <summary>Value size in bytes (per CPU for per-CPU maps).</summary>
    public required uint ValueSize { get; init; }

    /// <summary>Maximum number of entries.</summary>
    public required uint MaxEntries { get; init; }

    /// <summary>map_flags as created.</summary>
    public required uint Flags { get; init; }

    /// <summary>map_extra (bloom filter hash count, ...; Linux 5.16).</summary>
    public required ulong MapExtra { get; init; }

    /// <summary>Id of the map's BTF object, 0 if none.</summary>
    public required uint BtfId { get; init; }

    /// <summary>BTF type id of the key, 0 if none.</summary>
    public required uint BtfKeyTypeId { get; init; }

    /// <summary>BTF type id of the value, 0 if none.</summary>
    public required uint BtfValueTypeId { get; init; }

    /// <summary>Offload device, 0 if none.</summary>
    public required uint IfIndex { get; init; }

    /// <summary>
    /// True once frozen (BPF_MAP_FREEZE, Linux 5.2). bpf_map_info has no such field; like bpftool we read the
    /// "frozen:" line of /proc/self/fdinfo/&lt;fd&gt;. Null when that line is missing.
    /// </summary>
    public bool? IsFrozen { get; init; }

    /// <summary>Reads the info of the map behind <paramref name="fd"/>.</summary>
    public static unsafe BpfMapInfo FromFd(BpfFd fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var info = default(MapInfoStruct);
        ObjectInfo.Read(fd, ref info);
        return new BpfMapInfo
        {
            Id = info.Id,
            Type = (BpfMapType)info.Type,
            Name = ObjectInfo.ReadName(info.Name),
            KeySize = info.KeySize,
            ValueSize = info.ValueSize,
            MaxEntries = info.MaxEntries,
            Flags = info.MapFlags,
            MapExtra = info.MapExtra,
            BtfId = info.BtfId,
            BtfKeyTypeId = info.BtfKeyTypeId,
            BtfValueTypeId = info.BtfValueTypeId,
            IfIndex = info.IfIndex,
            IsFrozen = ReadFrozen(fd),
        };
    }

    /// <summary>The info of map <paramref name="id"/>, or null if no such map exists (any more).</summary>
    public static BpfMapInfo? FromId(uint id)
    {
        using var fd = ObjectInfo.TryOpenById(BpfCommand.MapGetFdById, id);
        return fd is null ? null : FromFd(fd);
    }

    /// <summary>
    /// Every map loaded in the kernel (BPF_MAP_GET_NEXT_ID + GET_FD_BY_ID, Linux 4.13), read lazily in id order;
    /// maps freed between listing and opening are skipped.
    /// </summary>
    public static IEnumerable<BpfMapInfo> All() => ObjectInfo.All(BpfCommand.MapGetNextId, BpfCommand.MapGetFdById, FromFd);

    /// <summary>Every map id, without opening the maps.</summary>
    public static IEnumerable<uint> AllIds() => ObjectInfo.Ids(BpfCommand.MapGetNextId);

    private static bool? ReadFrozen(BpfFd fd)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/self/fdinfo/{fd.Value}"))
            {
                if (line.StartsWith("frozen:", StringComparison.Ordinal))
                    return int.Parse(line.AsSpan(7).Trim(), CultureInfo.InvariantCulture) != 0;
            }
        }
        catch (IOException)
        {
        }
        return null;
    }
}
