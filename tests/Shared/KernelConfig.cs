using System.IO.Compression;

namespace Sluice.Tests;

/// <summary>
/// The running kernel's build configuration (/proc/config.gz): an expectation for feature probes that does not come
/// from the code under test. A missing /proc/config.gz skips locally and fails under CI, like every requirement.
/// </summary>
public static class KernelConfig
{
    private const string Path = "/proc/config.gz";
    private static readonly Lazy<HashSet<string>?> Enabled = new(Load);

    /// <summary>Whether <paramref name="option"/> (e.g. CONFIG_BPF_LIRC_MODE2) is built in (=y).</summary>
    public static bool IsBuiltIn(string option)
    {
        var enabled = Enabled.Value;
        if (enabled is null) Requires.Unavailable($"{Path} is missing, so the kernel's configuration is unknown");
        return enabled!.Contains(option);
    }

    private static HashSet<string>? Load()
    {
        if (!File.Exists(Path)) return null;
        using var reader = new StreamReader(new GZipStream(File.OpenRead(Path), CompressionMode.Decompress));
        var enabled = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
            if (line.EndsWith("=y", StringComparison.Ordinal)) enabled.Add(line[..^2]);
        return enabled;
    }
}
