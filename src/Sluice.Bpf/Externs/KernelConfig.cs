using System.IO.Compression;

namespace Sluice.Bpf;

/// <summary>
/// The running kernel's build configuration (CONFIG_* = value), as .kconfig externs see it: /proc/config.gz
/// (CONFIG_IKCONFIG_PROC), else /boot/config-&lt;release&gt;, read once per process. Options the file marks
/// "is not set" are absent, as libbpf treats them.
/// </summary>
public static class KernelConfig
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>?> Running = new(ReadRunning);

    /// <summary>The running kernel's options, or null when neither /proc/config.gz nor /boot/config-&lt;release&gt; exists.</summary>
    public static IReadOnlyDictionary<string, string>? Current => Running.Value;

    /// <summary>Where <see cref="Current"/> came from, for messages ("" when nowhere).</summary>
    public static string Source { get; private set; } = "";

    /// <summary>Parses config text: <c>CONFIG_X=value</c> lines, values as written (quotes kept for strings).</summary>
    public static Dictionary<string, string> Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (!line.StartsWith("CONFIG_", StringComparison.Ordinal)) continue;
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0) options[line[..equals]] = line[(equals + 1)..].Trim();
        }
        return options;
    }

    /// <summary>Reads a config file (plain, or gzip when it ends in .gz).</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static Dictionary<string, string> Read(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }

    private static IReadOnlyDictionary<string, string>? ReadRunning()
    {
        foreach (string path in new[] { "/proc/config.gz", $"/boot/config-{KernelRelease.Current}" })
        {
            if (!File.Exists(path)) continue;
            try
            {
                var options = Read(path);
                Source = path;
                return options;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                // Unreadable: try the next place; externs then report that no configuration was found.
            }
        }
        return null;
    }
}

/// <summary>The running kernel's release (uname -r) and LINUX_KERNEL_VERSION as libbpf computes it.</summary>
public static class KernelRelease
{
    /// <summary>uname -r, e.g. "6.18.44-fc-v1272".</summary>
    public static string Current { get; } = ReadRelease();

    /// <summary>KERNEL_VERSION(a, b, c) of <see cref="Current"/>, the patch level capped at 255 as the kernel's macro does.</summary>
    public static uint Code => Encode(Current);

    /// <summary>KERNEL_VERSION(a, b, c) of a release string; 0 when it does not start with "a.b".</summary>
    public static uint Encode(string release)
    {
        ArgumentNullException.ThrowIfNull(release);
        var numbers = new uint[3];
        int index = 0;
        foreach (char c in release)
        {
            if (char.IsAsciiDigit(c)) numbers[index] = numbers[index] * 10 + (uint)(c - '0');
            else if (c == '.' && index < 2) index++;
            else break;
        }
        if (index == 0) return 0;
        return (numbers[0] << 16) + (numbers[1] << 8) + Math.Min(numbers[2], 255u);
    }

    private static string ReadRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
