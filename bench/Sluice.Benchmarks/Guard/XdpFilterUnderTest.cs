using System.Text.RegularExpressions;
using Sluice.Bpf;
using Sluice.Lab;

namespace Sluice.Benchmarks.Guard;

/// <summary>
/// xdp-filter (Debian's xdp-tools) loaded by its own tool on a veth in throwaway namespaces, in its default
/// allow policy (listed addresses are dropped) with only the IPv4 feature: its cheapest program for an IPv4
/// address list. Its exact IPv4 list is filled straight into the map the tool pins
/// (/sys/fs/bpf/xdp-filter/filter_ipv4: per-CPU hash, key = address in network order, value = mode bits,
/// 1 = source, what `xdp-filter ip ADDR --mode src` writes). The program is opened by its id for test runs.
/// Dispose unloads it (the tool removes its pins) and deletes the namespaces.
/// </summary>
public sealed partial class XdpFilterUnderTest : IDisposable
{
    private const string PinRoot = "/sys/fs/bpf/xdp-filter";
    private const ulong ModeSource = 1;
    private readonly VethNamespaces _veth;
    private readonly bool _loaded;

    /// <summary>Loads xdp-filter (installing xdp-tools if missing) and lists up to <paramref name="addresses"/>' count of sources.</summary>
    public XdpFilterUnderTest(IReadOnlyList<uint> addresses)
    {
        if (Directory.Exists(PinRoot))
            throw new InvalidOperationException($"{PinRoot} exists: xdp-filter is in use on this machine; not touching it");
        if (!File.Exists("/usr/sbin/xdp-filter")) ShellCommand.Run("apt-get", "install", "-y", "-q", "xdp-tools");
        _veth = new VethNamespaces();
        try
        {
            VethNamespaces.Nsenter(_veth.ReceiverNamespace, "xdp-filter", "load", _veth.ReceiverInterface, "--mode", "native", "--features", "ipv4");
            _loaded = true;
            string link = _veth.InReceiver("ip", "link", "show", _veth.ReceiverInterface);
            var id = ProgramId().Match(link);
            if (!id.Success) throw new InvalidOperationException($"no XDP program id in `ip link show`: {link.Trim()}");
            Program = BpfProgram.FromId(uint.Parse(id.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            using var map = new BpfPerCpuHashMap<uint, ulong>(BpfMap.OpenPinned(Path.Combine(PinRoot, "filter_ipv4")), ownsMap: true);
            Capacity = (int)map.Map.MaxEntries;
            Listed = Math.Min(addresses.Count, Capacity);
            for (int i = 0; i < Listed; i++) map.UpdateAll(addresses[i], ModeSource);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The loaded xdp-filter program (opened by id).</summary>
    public BpfProgram Program { get; } = null!;

    /// <summary>Its IPv4 map's max_entries, fixed by the tool.</summary>
    public int Capacity { get; }

    /// <summary>Addresses written (the first ones of the list, at most <see cref="Capacity"/>).</summary>
    public int Listed { get; }

    /// <summary>"xdp-filter (xdp-tools VERSION)", the Debian package version.</summary>
    public static string Version()
    {
        int code = ShellCommand.TryRun("dpkg-query", ["-W", "-f", "${Version}", "xdp-tools"], out string output, out _);
        return code == 0 ? $"xdp-filter (xdp-tools {output.Trim()})" : "xdp-filter";
    }

    /// <summary>Unloads (the tool deletes its pins) and removes the namespaces.</summary>
    public void Dispose()
    {
        Program?.Dispose();
        if (_loaded) ShellCommand.TryRun("nsenter", [$"--net={_veth.Receiver.Path}", "--", "xdp-filter", "unload", "--all"], out _, out _);
        _veth?.Dispose();
    }

    [GeneratedRegex(@"prog/xdp id (\d+)")]
    private static partial Regex ProgramId();
}
